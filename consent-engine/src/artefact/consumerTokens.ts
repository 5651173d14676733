/**
 * A consumer application's own access token, for the one engine endpoint a consumer calls (its consent artefacts):
 * a JWT from the configured OIDC issuer (discovery, then its JWKS, with jose), for the configured audience (by default
 * the gateway's, so the token the consumer already uses works), not expired. The consumer is its `client_id` (or
 * `sub`), as the gateway reads it. Nothing about why a token failed beyond a short reason.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { ApiError, unauthenticated } from "../apiError.ts";

export interface ConsumerTokenOptions {
  /** The OIDC issuer consumers get tokens from. */
  readonly issuer: string;
  /** The audience their tokens must carry. */
  readonly audience: string;
  /** @default ["RS256", "PS256", "ES256", "EdDSA"] */
  readonly algorithms?: readonly string[];
}

/** Returns the consumer id the request's bearer token proves, or throws UNAUTHENTICATED (503 when the issuer cannot be reached). */
export function consumerTokenVerifier(options: ConsumerTokenOptions): (request: Request) => Promise<string> {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const keySet = async () => {
    if (jwks !== undefined) return jwks;
    const base = options.issuer.endsWith("/") ? options.issuer : `${options.issuer}/`;
    const response = await fetch(new URL(".well-known/openid-configuration", base), { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`issuer discovery answered HTTP ${response.status}`);
    const uri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri;
    if (typeof uri !== "string") throw new Error("issuer discovery has no jwks_uri");
    jwks = createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    return jwks;
  };
  return async (request) => {
    const m = /^Bearer +([A-Za-z0-9\-_.]+)$/i.exec(request.headers.get("authorization") ?? "");
    if (m?.[1] === undefined) throw unauthenticated("The application's bearer access token is required");
    let set: ReturnType<typeof createRemoteJWKSet>;
    try {
      set = await keySet();
    } catch {
      throw new ApiError("UPSTREAM_UNAVAILABLE", "The identity provider cannot be reached to verify tokens", { status: 503 });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(m[1], set, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...(options.algorithms ?? ["RS256", "PS256", "ES256", "EdDSA"])],
        clockTolerance: 30,
        requiredClaims: ["exp"],
      }));
    } catch {
      throw unauthenticated("The access token is not valid here");
    }
    const id = typeof payload["client_id"] === "string" ? payload["client_id"] : payload.sub;
    if (id === undefined || id === "" || payload["kind"] === "citizen" || payload["kind"] === "staff") {
      throw unauthenticated("The access token is not an application's");
    }
    return id;
  };
}
