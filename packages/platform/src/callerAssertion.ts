/**
 * Caller assertions: how the gateway tells a subgraph who is asking, in place of a shared bearer token. Per request
 * and subgraph the gateway signs a short-lived JWT (`typ: ndx-caller+jwt`) with its own key:
 *
 *   iss  the gateway (GATEWAY_ISSUER)          aud  the subgraph's name (registry, drp, dmt): useless at another
 *   sub  the caller's id                       kind, roles  the caller's kind (consumer, staff, citizen) and roles
 *   decision_id  the audit event of the permit  trace_id  the request's trace
 *   jti  unique                                iat, exp  now, now + 60 s
 *
 * A request without a caller (the bench's plain gateway, ACCESS_CONTROL=false) gets an assertion with no `sub`: the
 * subgraph knows the gateway sent it and that nobody was named. Subgraphs verify it with gatewayTrust.ts.
 *
 * Signing costs CPU on the hot path (measured on a busy 2-core machine: EdDSA 57-95 µs, ES256 70-135 µs per signature;
 * verifying 115-190 µs either way), so one assertion is signed per (request, subgraph) and reused by that request's
 * other fetches to the same subgraph (0.2 µs). The JWS is written here with node's synchronous `crypto.sign`, not
 * jose's `SignJWT`: jose 6 signs through WebCrypto, a job on libuv's thread pool per signature, which measured
 * 63-86 µs of CPU per assertion against 43-46 µs (and a thread hop of latency on every subgraph fetch). Subgraphs
 * verify with jose (gatewayTrust.ts), and a test verifies these tokens with jose alone.
 */
import { randomUUID, sign as signBytes } from "node:crypto";
import type { JWTPayload } from "jose";
import { gatewayJwks, type GatewaySigningKey, type JsonWebKeySet, type PublicJwk } from "./gatewayKeys.ts";

/** The caller an assertion names: who the gateway decided on, and under which recorded decision. */
export interface ForwardedCaller {
  readonly kind: "consumer" | "staff" | "citizen";
  readonly id: string;
  readonly roles: readonly string[];
  readonly traceId: string | undefined;
  /** The audit event of the gateway's permit for this request (written before execution). */
  readonly decisionId?: string | undefined;
}

export const assertionType = "ndx-caller+jwt";
/** The issuer subgraphs expect when GATEWAY_ISSUER is not set. */
export const defaultGatewayIssuer = "ndx-gateway";
/** Where the gateway publishes its public keys. */
export const gatewayJwksPath = "/.well-known/jwks.json";

export interface CallerAssertionSignerOptions {
  readonly key: GatewaySigningKey;
  /** `iss` of every assertion. @default "ndx-gateway" */
  readonly issuer?: string;
  /** Seconds from `iat` to `exp`. @default 60 */
  readonly lifetimeSeconds?: number;
  /** Public keys published beside the current one (the previous key while subgraphs still hold its tokens). @default [] */
  readonly previousKeys?: readonly PublicJwk[];
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
}

export interface CallerAssertionSigner {
  readonly issuer: string;
  /** The JWKS to publish at GET /.well-known/jwks.json. */
  readonly jwks: JsonWebKeySet;
  /** A fresh assertion for `audience` naming `caller`. */
  sign(audience: string, caller: ForwardedCaller | undefined): Promise<string>;
  /**
   * The assertion for this request (keyed by its context object) and subgraph: signed at the first fetch, reused by
   * the next ones while more than half its lifetime is left.
   */
  forRequest(context: object, audience: string, caller: ForwardedCaller | undefined): Promise<string>;
}

/** The claims that name the caller (beside the registered ones). */
export function callerClaims(caller: ForwardedCaller | undefined): JWTPayload {
  if (caller === undefined) return {};
  return {
    sub: caller.id,
    kind: caller.kind,
    roles: [...caller.roles],
    ...(caller.decisionId === undefined ? {} : { decision_id: caller.decisionId }),
    ...(caller.traceId === undefined ? {} : { trace_id: caller.traceId }),
  };
}

export function createCallerAssertionSigner(options: CallerAssertionSignerOptions): CallerAssertionSigner {
  const { key, issuer = defaultGatewayIssuer, lifetimeSeconds = 60, now = Date.now } = options;
  const jwks = gatewayJwks(key, options.previousKeys);
  // Per-request state lives with the request's context object and goes with it.
  const issued = new WeakMap<object, Map<string, { readonly token: Promise<string>; readonly renewAt: number }>>();

  const header = base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: assertionType }));
  // EdDSA signs the message itself; ES256 hashes with SHA-256 and, for JWS, writes r‖s (RFC 7518 §3.4), not DER.
  const scheme = key.alg === "EdDSA" ? null : "sha256";
  const signingKey = key.alg === "EdDSA" ? key.privateKey : { key: key.privateKey, dsaEncoding: "ieee-p1363" as const };

  function signNow(audience: string, caller: ForwardedCaller | undefined): string {
    const iat = Math.floor(now() / 1000);
    const claims = { ...callerClaims(caller), iss: issuer, aud: audience, jti: randomUUID(), iat, exp: iat + lifetimeSeconds };
    const input = `${header}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${signBytes(scheme, Buffer.from(input), signingKey).toString("base64url")}`;
  }

  // Async only for the interface: a signing failure becomes a rejection.
  const sign = async (audience: string, caller: ForwardedCaller | undefined): Promise<string> => signNow(audience, caller);

  return {
    issuer,
    jwks,
    sign,
    forRequest(context, audience, caller) {
      let mine = issued.get(context);
      if (mine === undefined) issued.set(context, (mine = new Map<string, { readonly token: Promise<string>; readonly renewAt: number }>()));
      const held = mine.get(audience);
      const at = now();
      if (held !== undefined && at < held.renewAt) return held.token;
      const token = sign(audience, caller);
      const forget = mine;
      token.catch(() => forget.delete(audience));
      mine.set(audience, { token, renewAt: at + (lifetimeSeconds * 1000) / 2 });
      return token;
    },
  };
}

function base64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}
