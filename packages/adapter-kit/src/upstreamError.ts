/**
 * What can go wrong when an adapter calls an agency's system, as one error type the resilience layer and the
 * GraphQL layer agree on. The message and `reason` are for operators' logs; what a consumer sees is produced by
 * `toGraphQLError` and never carries the upstream's body, credentials or stack.
 */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";

export type UpstreamFailure =
  /** No answer within the per-call timeout. */
  | "timeout"
  /** Connection refused or reset, HTTP 5xx, a SOAP Server fault. */
  | "unavailable"
  /** HTTP 429: the upstream asks us to slow down. */
  | "rate_limited"
  /** The upstream refused our request: credentials, HTTP 4xx, a SOAP Client fault. A bug or misconfiguration on our side. */
  | "rejected"
  /** The upstream says the record does not exist. */
  | "not_found"
  /** An answer that could not be read: not JSON/XML, a DOCTYPE, too large, fields missing or of the wrong type. */
  | "malformed"
  /** The circuit breaker is open: failing fast without calling the upstream. */
  | "circuit_open";

export interface UpstreamErrorOptions {
  readonly status?: number | undefined;
  /** From `Retry-After`, in ms. */
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly kind: UpstreamFailure;
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  /** `reason` is a short, safe description for logs: never a response body or a credential. */
  constructor(kind: UpstreamFailure, provider: string, reason: string, options: UpstreamErrorOptions = {}) {
    super(`${provider}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Transient failures that another try may cure. */
export function isTransient(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.kind === "timeout" || error.kind === "unavailable" || error.kind === "rate_limited");
}

/** Failures that say the upstream is unhealthy (they open the circuit); a 404, a 4xx or a 429 do not. */
export function isUpstreamFault(error: unknown): boolean {
  return error instanceof UpstreamError && (error.kind === "timeout" || error.kind === "unavailable" || error.kind === "malformed");
}

/**
 * The consumer-facing error: its code (docs/architecture.md#errors), the provider named in the message and in `extensions.provider`, the
 * failure kind in `extensions.reason`. Inside a subgraph the HTTP status stays 200: the gateway merges our errors.
 */
export function toGraphQLError(error: UpstreamError): GraphQLError {
  const provider = error.provider;
  const label = provider.toUpperCase();
  const details = { provider, reason: error.kind };
  const options = { details, httpStatus: false } as const;
  switch (error.kind) {
    case "timeout":
      return ndxError("UPSTREAM_TIMEOUT", `The ${label} provider did not answer in time`, options);
    case "not_found":
      return ndxError("NOT_FOUND", `The ${label} provider has no such record`, options);
    case "circuit_open":
      return ndxError("UPSTREAM_UNAVAILABLE", `The ${label} provider is unavailable (failing fast after repeated failures)`, options);
    case "rate_limited":
      return ndxError("UPSTREAM_UNAVAILABLE", `The ${label} provider is busy; try again later`, options);
    case "rejected":
      return ndxError("UPSTREAM_UNAVAILABLE", `The ${label} provider refused the request`, options);
    case "malformed":
      return ndxError("UPSTREAM_UNAVAILABLE", `The ${label} provider answered with a response that could not be read`, options);
    case "unavailable":
      return ndxError("UPSTREAM_UNAVAILABLE", `The ${label} provider is unavailable`, options);
  }
}
