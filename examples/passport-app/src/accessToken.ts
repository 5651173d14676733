/**
 * The application's own access token for the gateway: OAuth 2.0 client credentials at the OpenID Provider's token
 * endpoint (found once by discovery), for the gateway's audience (RFC 8707 `resource`), reused until a minute before it
 * expires. This is all an application needs to call NDX; no citizen's credentials are involved.
 */
export interface TokenSourceOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The gateway's GraphQL URL: the resource the token is for. */
  readonly audience: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface TokenSource {
  /** A valid access token, fetched when none is held or the one held is about to expire. */
  get(): Promise<string>;
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  let endpoint: Promise<string> | undefined;
  let held: { token: string; until: number } | undefined;
  const discover = async (): Promise<string> => {
    const response = await fetch(`${options.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json().catch(() => ({}))) as { token_endpoint?: unknown };
    if (!response.ok || typeof body.token_endpoint !== "string") throw new Error(`the identity provider at ${options.issuer} names no token endpoint`);
    return body.token_endpoint;
  };
  return {
    async get() {
      if (held !== undefined && held.until > now()) return held.token;
      endpoint ??= discover().catch((error: unknown) => {
        endpoint = undefined;
        throw error;
      });
      const response = await fetch(await endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource: options.audience }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
      if (!response.ok || typeof body.access_token !== "string") throw new Error(`the identity provider refused a token (HTTP ${String(response.status)})`);
      const lifetime = typeof body.expires_in === "number" ? body.expires_in : 300;
      held = { token: body.access_token, until: now() + Math.max(0, lifetime - 60) * 1000 };
      return held.token;
    },
  };
}
