/**
 * Development helpers for the CLIs, the bench and the tests (`@ndx/platform/dev`), never for a service: a free port
 * to start something on, and a consumer application's access token from an OpenID Provider by client credentials
 * (`npm run token`, the bench, the end-to-end and system tests).
 */
import { createServer } from "node:net";

export { partEnvironment, partEnvironmentDefaults } from "./partEnvironment.ts";

/** A TCP port free on 127.0.0.1 now: picked by the system, then released, so another process may take it first. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ClientCredentialsOptions {
  /** The issuer's URL; its token endpoint is found by discovery (`/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The `resource` the token is for (the gateway's /graphql URL). @default undefined: the provider's default */
  readonly audience?: string | undefined;
  /** The `scope` parameter, sent when given (even empty). @default undefined: not sent */
  readonly scope?: string | undefined;
}

export interface IssuedToken {
  readonly accessToken: string;
  /** Seconds, as the provider says. */
  readonly expiresIn: number | undefined;
}

/** A token by the client credentials grant, the client authenticated with HTTP Basic (client_secret_basic). */
export async function clientCredentialsToken(options: ClientCredentialsOptions): Promise<IssuedToken> {
  const { issuer, clientId, clientSecret, audience, scope } = options;
  const discovery = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  const { token_endpoint: endpoint } = discovery.ok ? ((await discovery.json()) as { token_endpoint?: unknown }) : {};
  if (typeof endpoint !== "string") throw new Error(`${issuer} names no token endpoint (HTTP ${discovery.status})`);
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      ...(audience === undefined ? {} : { resource: audience }),
      ...(scope === undefined ? {} : { scope }),
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
  if (!response.ok || typeof body.access_token !== "string") {
    const why = typeof body.error_description === "string" ? body.error_description : typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
    throw new Error(`no token for ${clientId}: ${why}`);
  }
  return { accessToken: body.access_token, expiresIn: typeof body.expires_in === "number" ? body.expires_in : undefined };
}
