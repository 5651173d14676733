/**
 * The errors of the endpoints served beside GraphQL by yoga plugins (the gateway's audit API and reports, the
 * exchange's register and service endpoints, the registry's events feed): JSON `{"error": {"code", "message"}}` with a
 * code of docs/architecture.md, never cached. Codes are what a client branches on; messages are for people.
 */
import { errorCodes, type ErrorCode } from "./errors.ts";

export interface EndpointErrorOptions {
  /** The HTTP status, where it is not the code's own (405 for a method not allowed). @default errorCodes[code] */
  readonly status?: number;
  /** Headers that go with it (`Allow`, `WWW-Authenticate`, `Retry-After`). */
  readonly headers?: Record<string, string>;
}

export function endpointError(code: ErrorCode, message: string, options: EndpointErrorOptions = {}): Response {
  return Response.json(
    { error: { code, message } },
    { status: options.status ?? errorCodes[code], headers: { "cache-control": "no-store", ...options.headers } },
  );
}

/** 405 for a method the endpoint does not answer, naming the one it does. */
export const methodNotAllowed = (allowed: string): Response =>
  endpointError("BAD_USER_INPUT", `Only ${allowed} is allowed here`, { status: 405, headers: { allow: allowed } });

/** 401 for a missing or wrong bearer token: `message` names the credential the endpoint needs. */
export const bearerRequired = (message: string): Response =>
  endpointError("UNAUTHENTICATED", message, { headers: { "www-authenticate": "Bearer" } });
