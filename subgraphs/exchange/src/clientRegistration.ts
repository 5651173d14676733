/**
 * The exchange's side of OAuth 2.0 Dynamic Client Registration: each application's OAuth client is registered at the
 * issuer (RFC 7591, with the initial access token), read and updated to rotate its secret, and deleted (RFC 7592, with
 * the client's registration access token). Endpoints come from the issuer's discovery document; every call has a
 * timeout; a refusal is an Error naming the issuer's `error` and `error_description`, never a secret or a token.
 * Works with the development provider and with Keycloak (its realm's issuer URL).
 */

export interface ClientRegistration {
  clientId: string;
  clientSecret?: string;
  registrationAccessToken: string;
  registrationClientUri: string;
}

export interface ClientRegistrar {
  register(input: { name: string; authMethod: "client_secret_basic" | "private_key_jwt"; jwks?: object }): Promise<ClientRegistration>;
  rotateSecret(client: { clientId: string; registrationAccessToken: string; registrationClientUri: string }): Promise<ClientRegistration>;
  remove(client: { clientId: string; registrationAccessToken: string; registrationClientUri: string }): Promise<void>;
  readonly tokenEndpoint: string;
}

export interface ClientRegistrarOptions {
  /** The issuer URL; discovery is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The bearer token registration needs (the identity provider's IDP_REGISTRATION_TOKEN). */
  initialAccessToken: string;
  /** Longest any call to the issuer may take. @default 10000 */
  timeoutMs?: number;
  /** The scope registered clients may ask for on the gateway. @default "ndx:query" */
  scope?: string;
}

/** A refusal or failure of the issuer; `error` is the OAuth error code when the issuer gave one. */
class ClientRegistrationError extends Error {
  override name = "ClientRegistrationError";
  readonly status: number | undefined;
  readonly error: string | undefined;
  constructor(message: string, status?: number, error?: string) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

interface Endpoints {
  readonly registration: string;
  readonly token: string;
}

type Json = Record<string, unknown>;

/** Metadata of ours that an update sends back (RFC 7592 replaces the client's metadata with what is sent). */
const kept = ["client_name", "grant_types", "response_types", "redirect_uris", "token_endpoint_auth_method", "token_endpoint_auth_signing_alg", "jwks", "scope", "contacts"];

const text = (value: unknown, max = 300): string | undefined =>
  typeof value === "string" && value !== "" ? value.slice(0, max) : undefined;

export function createClientRegistrar(options: ClientRegistrarOptions): ClientRegistrar {
  return registrarWithDiscovery(options).registrar;
}

function registrarWithDiscovery(options: ClientRegistrarOptions): { registrar: ClientRegistrar; discover: () => Promise<unknown> } {
  const issuer = options.issuer.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const scope = options.scope ?? "ndx:query";
  let discovered: Endpoints | undefined;
  let discovering: Promise<Endpoints> | undefined;

  async function call(what: string, url: string, init: { method: string; bearer: string; body?: Json }): Promise<Json | undefined> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: {
          accept: "application/json",
          authorization: `Bearer ${init.bearer}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw new ClientRegistrationError(`${what} at ${issuer}: ${timedOut ? `no answer within ${timeoutMs} ms` : "the issuer cannot be reached"}`);
    }
    const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) {
      const json = typeof body === "object" && body !== null ? (body as Json) : {};
      const error = text(json["error"], 100);
      const description = text(json["error_description"]);
      const why = error === undefined ? `HTTP ${response.status}` : `${error}${description === undefined ? "" : ` (${description})`}`;
      throw new ClientRegistrationError(`${what} refused by ${issuer}: ${why}`, response.status, error);
    }
    if (response.status === 204) return undefined;
    if (typeof body !== "object" || body === null) throw new ClientRegistrationError(`${what} at ${issuer}: the answer is not JSON`);
    return body as Json;
  }

  async function discover(): Promise<Endpoints> {
    if (discovered !== undefined) return discovered;
    discovering ??= (async () => {
      let response: Response;
      try {
        response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        throw new ClientRegistrationError(`discovery at ${issuer}: the issuer cannot be reached in ${timeoutMs} ms`);
      }
      const document = (await response.json().catch(() => undefined)) as Json | undefined;
      if (!response.ok || document === undefined) throw new ClientRegistrationError(`discovery at ${issuer}: HTTP ${response.status}`, response.status);
      if (document["issuer"] !== issuer) throw new ClientRegistrationError(`discovery at ${issuer} names another issuer`);
      const registration = text(document["registration_endpoint"], 2000);
      const token = text(document["token_endpoint"], 2000);
      if (registration === undefined) throw new ClientRegistrationError(`${issuer} offers no dynamic client registration (no registration_endpoint)`);
      if (token === undefined) throw new ClientRegistrationError(`${issuer} has no token_endpoint`);
      discovered = { registration, token };
      return discovered;
    })();
    // A failed discovery is tried again on the next call.
    return discovering.catch((error: unknown) => {
      discovering = undefined;
      throw error;
    });
  }
  // Started at once, so that tokenEndpoint is known by the time anyone asks; a failure here is reported by the call
  // that needs it.
  discover().catch(() => undefined);

  /** The registration access token is sent only to the issuer's own registration endpoint's origin. */
  async function managementUri(client: { clientId: string; registrationClientUri: string }): Promise<string> {
    const { registration } = await discover();
    let uri: URL;
    try {
      uri = new URL(client.registrationClientUri);
    } catch {
      throw new ClientRegistrationError(`the registration client URI of ${client.clientId} is not a URL`);
    }
    if (uri.origin !== new URL(registration).origin) {
      throw new ClientRegistrationError(`the registration client URI of ${client.clientId} is not at ${issuer}'s registration endpoint`);
    }
    return uri.toString();
  }

  function registration(what: string, answer: Json | undefined, previous?: { registrationAccessToken: string; registrationClientUri: string }): ClientRegistration {
    const clientId = text(answer?.["client_id"], 500);
    const registrationAccessToken = text(answer?.["registration_access_token"], 4000) ?? previous?.registrationAccessToken;
    const registrationClientUri = text(answer?.["registration_client_uri"], 2000) ?? previous?.registrationClientUri;
    if (clientId === undefined || registrationAccessToken === undefined || registrationClientUri === undefined) {
      throw new ClientRegistrationError(`${what} at ${issuer}: the answer lacks client_id, registration_access_token or registration_client_uri`);
    }
    const clientSecret = text(answer?.["client_secret"], 4000);
    return { clientId, registrationAccessToken, registrationClientUri, ...(clientSecret === undefined ? {} : { clientSecret }) };
  }

  const registrar: ClientRegistrar = {
    get tokenEndpoint(): string {
      if (discovered === undefined) throw new ClientRegistrationError(`the token endpoint of ${issuer} is not discovered yet`);
      return discovered.token;
    },

    async register(input) {
      const endpoints = await discover();
      const answer = await call("client registration", endpoints.registration, {
        method: "POST",
        bearer: options.initialAccessToken,
        body: {
          client_name: input.name,
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: input.authMethod,
          ...(input.jwks === undefined ? {} : { jwks: input.jwks }),
          scope,
        },
      });
      const created = registration("client registration", answer);
      await managementUri(created);
      return created;
    },

    async rotateSecret(client) {
      const uri = await managementUri(client);
      // RFC 7592: the update replaces the metadata, so it sends back what the client has (read first).
      const current = await call("client read", uri, { method: "GET", bearer: client.registrationAccessToken });
      const read = registration("client read", { ...current, client_id: current?.["client_id"] ?? client.clientId }, client);
      const metadata: Json = { client_id: client.clientId };
      for (const key of kept) if (current?.[key] !== undefined) metadata[key] = current[key];
      const answer = await call("client update", uri, { method: "PUT", bearer: read.registrationAccessToken, body: metadata });
      return registration("client update", answer, read);
    },

    async remove(client) {
      const uri = await managementUri(client);
      await call("client removal", uri, { method: "DELETE", bearer: client.registrationAccessToken });
    },
  };
  return { registrar, discover };
}

/** A registrar whose discovery has succeeded (so tokenEndpoint is known): for a service's start, to fail early. */
export async function discoverClientRegistrar(options: ClientRegistrarOptions): Promise<ClientRegistrar> {
  const { registrar, discover } = registrarWithDiscovery(options);
  await discover();
  return registrar;
}
