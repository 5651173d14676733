/**
 * The error codes of docs/architecture.md. Every error NDX returns on purpose is a GraphQLError carrying
 * `extensions.code` and `extensions.http.status`; anything else is masked to INTERNAL_SERVER_ERROR with no internals.
 */
import { GraphQLError } from "graphql";

export const errorCodes = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONSENT_REQUIRED: 403,
  /** A consent covers the fields but cannot be used now: its frequency is used up, or it has not started (with renewsAt). */
  CONSENT_EXHAUSTED: 403,
  /** The citizen paused the consent that covers the fields. */
  CONSENT_PAUSED: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** Added to the original list: a consumer over its rate limit (with Retry-After). */
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  /** The access cannot be put on the audit trail, so nothing personal is served. */
  EVIDENCE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface NdxErrorOptions {
  /** Extra, safe-to-show details (field names, limits, ids). Never internals. */
  details?: Record<string, unknown>;
  /** Whether the HTTP status should follow the error. Off inside subgraphs, whose answers the gateway merges. */
  httpStatus?: boolean;
  /** Response headers that go with it (e.g. WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
}

export function ndxError(code: ErrorCode, message: string, options: NdxErrorOptions = {}): GraphQLError {
  const extensions: Record<string, unknown> = { code, ...options.details };
  if (options.httpStatus !== false) {
    extensions["http"] = { status: errorCodes[code], ...(options.headers === undefined ? {} : { headers: options.headers }) };
  }
  return new GraphQLError(message, { extensions });
}

export const badUserInput = (message: string, details?: Record<string, unknown>): GraphQLError =>
  ndxError("BAD_USER_INPUT", message, details === undefined ? {} : { details });

export const notFound = (message: string, details?: Record<string, unknown>): GraphQLError =>
  ndxError("NOT_FOUND", message, details === undefined ? {} : { details });

export function isNdxError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && hasNdxCode(error);
}

function hasNdxCode(error: GraphQLError): boolean {
  const code = error.extensions["code"];
  return typeof code === "string" && code in errorCodes;
}

/**
 * For yoga's `maskedErrors.maskError`. What is shown:
 * - our own errors (thrown in resolvers or plugins) unchanged;
 * - GraphQL's own errors (syntax, validation, variable coercion) as BAD_USER_INPUT, HTTP 400;
 * - errors a subgraph returned with one of our codes (the gateway re-raises them), without anything but
 *   message, location, path and extensions;
 * - everything else (a thrown Error, a database error, an upstream body) as a plain INTERNAL_SERVER_ERROR; the
 *   original goes to `log`, so operators still see it.
 */
export function createMaskError(log: (error: unknown) => void) {
  return (error: unknown): Error => {
    if (!(error instanceof GraphQLError)) {
      log(error);
      return internal(undefined);
    }
    const original = error.originalError;
    if (isNdxError(original)) return rebase(error, original.message, original.extensions);
    const ours = hasNdxCode(error);
    if (original === undefined || original === null) {
      if (ours) return error;
      return rebase(error, error.message, { code: "BAD_USER_INPUT", http: { status: 400 } });
    }
    if (!(original instanceof Error) && ours) {
      const { exception: _e, stacktrace: _s, ...extensions } = error.extensions;
      return rebase(error, error.message, extensions);
    }
    // A GraphQL error about the request itself (no path), e.g. a variable of the wrong type.
    if (error.path === undefined && isGraphQLOwn(original)) {
      return rebase(error, error.message, { code: "BAD_USER_INPUT", http: { status: 400 } });
    }
    log(original);
    return internal(error);
  };
}

/** A chain of GraphQLErrors with no thrown Error at its root: GraphQL's own validation of input. */
function isGraphQLOwn(error: unknown): boolean {
  let current: unknown = error;
  while (current instanceof GraphQLError) {
    if (current.originalError === undefined || current.originalError === null) return true;
    current = current.originalError;
  }
  return false;
}

function internal(located: GraphQLError | undefined): GraphQLError {
  const path = located?.path;
  return new GraphQLError("Internal server error", {
    nodes: located?.nodes ?? null,
    path: path ?? null,
    // A failure of the whole request is a 500; one field failing inside a partial result is not.
    extensions: path === undefined ? { code: "INTERNAL_SERVER_ERROR", http: { status: 500 } } : { code: "INTERNAL_SERVER_ERROR" },
  });
}

function rebase(located: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    nodes: located.nodes ?? null,
    source: located.source ?? null,
    positions: located.positions ?? null,
    path: located.path ?? null,
    extensions,
  });
}
