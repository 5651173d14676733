/**
 * Subgraphs trust only the gateway, and only for what it decided. Every GraphQL request must carry a caller assertion
 * (callerAssertion.ts) in `Authorization: Bearer`: a JWT signed by the gateway's key, checked here against the
 * gateway's JWKS — the algorithm allow-list, `typ`, the signature, `iss`, `aud` = this subgraph, `exp`, `iat`, `jti`.
 * The caller it names is the only caller the subgraph knows (`callerOf(request)`). Anything else — no credential, an
 * old shared token, a key the gateway never published, an assertion meant for another subgraph, an expired one — is
 * 401 UNAUTHENTICATED, GraphiQL pages (GET text/html) included; only /health, /ready and /metrics stay open.
 *
 * The JWKS is fetched at the first request, not at start-up (a subgraph may start before the gateway), kept, and
 * fetched again when an assertion names a key it does not hold (the gateway's development key changes at every
 * start), at most once per cooldown. While it cannot be fetched, every request is refused: never accepted unsigned.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { assertionType, defaultGatewayIssuer, type ForwardedCaller } from "./callerAssertion.ts";

export type { ForwardedCaller } from "./callerAssertion.ts";
import { assertionAlgorithms, type JsonWebKeySet } from "./gatewayKeys.ts";
import type { Logger } from "./logger.ts";


export interface GatewayTrustOptions {
  /** This subgraph's name in the supergraph: assertions must carry it in `aud`. */
  readonly audience: string;
  /** The gateway's `iss`. @default "ndx-gateway" */
  readonly issuer?: string;
  /** The gateway's JWKS: its URL (fetched lazily and cached), or the key set itself. */
  readonly jwks: string | URL | JsonWebKeySet;
  /** Least ms between two JWKS fetches caused by an unknown `kid`. @default 10000 */
  readonly cooldownMs?: number;
  /** Refused requests are logged at warn with the reason (never the token). @default undefined: not logged */
  readonly logger?: Logger | undefined;
}

/** What a subgraph is told of the gateway (its own name and logger it knows itself). */
export type SubgraphTrustOptions = Omit<GatewayTrustOptions, "audience" | "logger">;

export interface GatewayTrust {
  /** The yoga plugin: refuses every request but the open paths unless it carries a valid assertion. */
  readonly plugin: ReturnType<typeof trustPlugin>;
  /** The caller a verified request's assertion names; undefined when it names none or the request was not verified. */
  callerOf(request: Request): ForwardedCaller | undefined;
  /** Verifies an assertion; resolves to the caller it names (undefined: the gateway named nobody), throws otherwise. */
  verify(token: string): Promise<ForwardedCaller | undefined>;
}

/** Paths answered without the gateway's assertion: probes and the operators' scraper. */
export const openPaths: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);

const kinds = new Set(["consumer", "staff", "citizen"]);

/** The caller named by verified claims; throws when the claims name one badly. */
export function callerFromClaims(payload: JWTPayload): ForwardedCaller | undefined {
  const { sub, kind, roles, decision_id: decisionId, trace_id: traceId } = payload;
  if (sub === undefined && kind === undefined) return undefined;
  if (typeof sub !== "string" || sub === "" || typeof kind !== "string" || !kinds.has(kind)) throw new errors.JWTInvalid("bad caller claims");
  if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === "string")) throw new errors.JWTInvalid("bad roles claim");
  if (decisionId !== undefined && typeof decisionId !== "string") throw new errors.JWTInvalid("bad decision_id claim");
  if (traceId !== undefined && typeof traceId !== "string") throw new errors.JWTInvalid("bad trace_id claim");
  return { kind: kind as ForwardedCaller["kind"], id: sub, roles, traceId, ...(decisionId === undefined ? {} : { decisionId }) };
}

function unauthenticated(): Response {
  return Response.json(
    { errors: [{ message: "Subgraphs answer only the NDX gateway", extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } }] },
    { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } },
  );
}

export function createGatewayTrust(options: GatewayTrustOptions): GatewayTrust {
  const { audience, issuer = defaultGatewayIssuer, logger } = options;
  const keys =
    typeof options.jwks === "string" || options.jwks instanceof URL
      ? createRemoteJWKSet(new URL(options.jwks), { cooldownDuration: options.cooldownMs ?? 10_000, cacheMaxAge: 600_000, timeoutDuration: 2000 })
      : createLocalJWKSet({ keys: options.jwks.keys.map((k) => ({ ...k })) });
  const verified = new WeakMap<Request, ForwardedCaller>();

  async function verify(token: string): Promise<ForwardedCaller | undefined> {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [...assertionAlgorithms],
      typ: assertionType,
      issuer,
      audience,
      requiredClaims: ["exp", "iat", "jti"],
      clockTolerance: 5,
    });
    return callerFromClaims(payload);
  }

  async function admit(request: Request): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (token === undefined) {
      logger?.warn({ reason: "no assertion" }, "request to the subgraph refused");
      return false;
    }
    try {
      const caller = await verify(token);
      if (caller !== undefined) verified.set(request, caller);
      return true;
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? error.code : "JWKS unavailable";
      logger?.warn({ reason }, "request to the subgraph refused");
      return false;
    }
  }

  return { plugin: trustPlugin(admit), callerOf: (request) => verified.get(request), verify };
}

function trustPlugin(admit: (request: Request) => Promise<boolean>) {
  return {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (openPaths.has(url.pathname)) return;
      if (!(await admit(request))) endResponse(unauthenticated());
    },
  };
}
