/**
 * Dynamic Client Registration (RFC 7591) and its management (RFC 7592), for the exchange's machine clients only.
 *
 * Registration needs the initial access token: one InitialAccessToken (kept in memory, made at start from
 * configuration, so a changed token takes effect at the next start) carrying our policy. oidc-provider runs a token's
 * policies on registration and, through the registration access token that inherits them, on every update. The
 * policy admits client credentials with `client_secret_basic` or `private_key_jwt` (keys given as `jwks`, never
 * fetched from a `jwks_uri`) and nothing else, and gives a client a new secret on every update (PUT): that is how a
 * secret is rotated (oidc-provider itself keeps the secret on update). The registration access token is rotated on
 * every update too.
 */
import { randomBytes } from "node:crypto";
import type Provider from "oidc-provider";
import { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

/** The name of the policy on the initial access token (and so on every registration access token). */
export const machineClientPolicy = "ndx-machine-client";

export interface RegistrationOptions {
  /** The bearer token a registration must present (RFC 7591 "initial access token"). */
  readonly initialAccessToken: string;
}

type Features = NonNullable<Configuration["features"]>;

const authMethods = new Set(["client_secret_basic", "private_key_jwt"]);

/** What a registered client may say about itself; the rest of oidc-provider's metadata is refused. */
const accepted = new Set([
  // set by the provider itself
  "client_id",
  "client_id_issued_at",
  "client_secret",
  "client_secret_expires_at",
  // the client's
  "client_name",
  "contacts",
  "grant_types",
  "response_types",
  "redirect_uris",
  "post_logout_redirect_uris",
  "token_endpoint_auth_method",
  "token_endpoint_auth_signing_alg",
  "jwks",
  "scope",
]);

const invalid = (description: string) => new errors.InvalidClientMetadata(description);

const emptyOrAbsent = (value: unknown): boolean => value === undefined || (Array.isArray(value) && value.length === 0);

/** Checks (and completes) a registered client's metadata; throws `invalid_client_metadata`. */
export function checkMachineClient(metadata: ClientMetadata, scope: string): void {
  for (const key of Object.keys(metadata)) {
    if (!accepted.has(key)) throw invalid(`${key} is not accepted for a registered client`);
  }
  const grants = metadata.grant_types;
  if (!Array.isArray(grants) || grants.length !== 1 || grants[0] !== "client_credentials") {
    throw invalid("grant_types must be exactly [\"client_credentials\"]");
  }
  if (!emptyOrAbsent(metadata.response_types)) throw invalid("response_types must be empty for a client-credentials client");
  if (!emptyOrAbsent(metadata.redirect_uris)) throw invalid("redirect_uris must be empty for a client-credentials client");
  if (!emptyOrAbsent(metadata.post_logout_redirect_uris)) throw invalid("post_logout_redirect_uris must be empty");
  const method = metadata.token_endpoint_auth_method ?? "client_secret_basic";
  if (!authMethods.has(method)) throw invalid("token_endpoint_auth_method must be client_secret_basic or private_key_jwt");
  if (method === "private_key_jwt" && metadata.jwks === undefined) throw invalid("private_key_jwt needs the client's public keys in jwks");
  if (method !== "private_key_jwt" && metadata.jwks !== undefined) throw invalid("jwks is only for private_key_jwt");
  if (metadata.scope !== undefined && metadata.scope !== scope) throw invalid(`scope must be ${scope}`);
  Object.assign(metadata, { response_types: [], redirect_uris: [], token_endpoint_auth_method: method, scope });
  if (method === "private_key_jwt") {
    delete metadata.client_secret;
    delete metadata.client_secret_expires_at;
  }
}

const newSecret = (): string => randomBytes(48).toString("base64url");

export function registrationFeatures(scope: string): Pick<Features, "registration" | "registrationManagement"> {
  return {
    registration: {
      enabled: true,
      initialAccessToken: true,
      issueRegistrationAccessToken: true,
      secretFactory: newSecret,
      policies: {
        [machineClientPolicy](ctx: KoaContextWithOIDC, metadata: ClientMetadata) {
          checkMachineClient(metadata, scope);
          // RFC 7592 update: a new secret each time (a client_secret sent back must still be the current one).
          if (ctx.oidc.route === "client_update" && metadata.token_endpoint_auth_method === "client_secret_basic") {
            Object.assign(metadata, { client_secret: newSecret(), client_secret_expires_at: 0 });
          }
        },
      },
    },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
  };
}

/** Makes the configured initial access token valid at this provider (in its memory only). */
export async function acceptInitialAccessToken(provider: Provider, options: RegistrationOptions): Promise<void> {
  await new provider.InitialAccessToken({ jti: options.initialAccessToken, policies: [machineClientPolicy] }).save();
}
