/**
 * Authentication of the caller: a bearer JWT from the configured OpenID issuer, verified with jose against the
 * issuer's JWKS (discovered once, cached, refetched on an unknown `kid`): signature with an allow-listed algorithm,
 * `iss`, `aud`, `exp` and `nbf` with a small clock tolerance. A verified token is remembered until it expires, so a
 * consumer's repeated requests cost one map lookup, not a signature check.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";

export interface Caller {
  /** `consumer` for an application (client credentials), `staff` or `citizen` for a signed-in person. */
  readonly kind: "consumer" | "staff" | "citizen";
  /** Consumer id for applications; username (staff) or NIC (citizens) for people. */
  readonly id: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

export interface AuthOptions {
  /** The issuer URL, exactly as tokens carry it in `iss`. */
  readonly issuer: string;
  /** This gateway's audience (resource indicator). */
  readonly audience: string;
  /** JWKS URL; discovered from the issuer's openid-configuration when absent. */
  readonly jwksUri?: string | undefined;
  /** @default ["RS256", "PS256", "ES256", "EdDSA"] */
  readonly algorithms?: readonly string[];
  /** Allowed clock skew. @default 30 */
  readonly clockToleranceSeconds?: number;
  /** How many verified tokens to remember. @default 10000 */
  readonly cacheSize?: number;
  /** Least time between two JWKS fetches caused by unknown key ids (protects the issuer). @default 30000 */
  readonly jwksCooldownMs?: number;
}

export interface Authenticator {
  authenticate(authorization: string | null): Promise<Caller>;
}

function unauthenticated(message: string): GraphQLError {
  return ndxError("UNAUTHENTICATED", message, { headers: { "WWW-Authenticate": `Bearer error="invalid_token"` } });
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted here`;
  if (error instanceof errors.JWKSNoMatchingKey) return "the token was not signed by a key of the issuer";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not allowed";
  return "the token is not a valid access token";
}

export function callerFromClaims(payload: JWTPayload): Caller {
  const kind = payload["kind"] === "staff" || payload["kind"] === "citizen" ? payload["kind"] : "consumer";
  const clientId = typeof payload["client_id"] === "string" ? payload["client_id"] : undefined;
  const id = kind === "consumer" ? (clientId ?? payload.sub) : payload.sub;
  if (id === undefined || id === "") throw unauthenticated("the token names no client or subject");
  const roles = Array.isArray(payload["roles"]) ? payload["roles"].filter((r): r is string => typeof r === "string") : [];
  const scopes = typeof payload["scope"] === "string" ? payload["scope"].split(" ").filter(Boolean) : [];
  return { kind, id, roles, scopes };
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  const {
    issuer,
    audience,
    algorithms = ["RS256", "PS256", "ES256", "EdDSA"],
    clockToleranceSeconds = 30,
    cacheSize = 10_000,
    jwksCooldownMs = 30_000,
  } = options;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const verified = new Map<string, { caller: Caller; expiresAt: number }>();

  const keySet = async () => {
    if (jwks !== undefined) return jwks;
    discovering ??= (async () => {
      let uri = options.jwksUri;
      if (uri === undefined) {
        const response = await fetch(new URL(".well-known/openid-configuration", issuer.endsWith("/") ? issuer : `${issuer}/`), {
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new Error(`issuer discovery answered HTTP ${response.status}`);
        uri = ((await response.json()) as { jwks_uri?: string }).jwks_uri;
        if (uri === undefined) throw new Error("issuer discovery has no jwks_uri");
      }
      jwks = createRemoteJWKSet(new URL(uri), { cooldownDuration: jwksCooldownMs, cacheMaxAge: 600_000 });
      return jwks;
    })().finally(() => {
      discovering = undefined;
    });
    return discovering;
  };

  return {
    async authenticate(authorization) {
      if (authorization === null || authorization === "") throw unauthenticated("a bearer token is required");
      const match = /^Bearer +([A-Za-z0-9\-_.]+=*)$/i.exec(authorization);
      if (match?.[1] === undefined) throw unauthenticated("the Authorization header must be `Bearer <token>`");
      const token = match[1];
      const now = Date.now();
      const known = verified.get(token);
      if (known !== undefined && known.expiresAt > now) return known.caller;
      let set: ReturnType<typeof createRemoteJWKSet>;
      try {
        set = await keySet();
      } catch {
        throw ndxError("UPSTREAM_UNAVAILABLE", "The identity provider cannot be reached to verify tokens", {
          details: { provider: "identity-provider" },
        });
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, set, {
          issuer,
          audience,
          algorithms: [...algorithms],
          clockTolerance: clockToleranceSeconds,
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        throw unauthenticated(reasonOf(error));
      }
      const caller = callerFromClaims(payload);
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value ?? "");
      verified.set(token, { caller, expiresAt: (payload.exp ?? 0) * 1000 });
      return caller;
    },
  };
}
