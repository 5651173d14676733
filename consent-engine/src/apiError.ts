/**
 * Errors the engine returns on purpose: a code from docs/architecture.md, an HTTP status, a message that is safe to show and
 * optional safe details. Anything else becomes INTERNAL_SERVER_ERROR with no internals.
 */
import { errorCodes, type ErrorCode } from "@ndx/platform";

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, message: string, options: { status?: number; details?: Record<string, unknown> } = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? errorCodes[code];
    this.details = options.details;
  }
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new ApiError("BAD_USER_INPUT", message, details === undefined ? {} : { details });
export const notFound = (message: string) => new ApiError("NOT_FOUND", message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new ApiError("CONFLICT", message, details === undefined ? {} : { details });
export const forbidden = (message: string) => new ApiError("FORBIDDEN", message);
export const unauthenticated = (message: string) => new ApiError("UNAUTHENTICATED", message);

/** The JSON answer for any error; unexpected ones are reported to `log` and masked. */
export function errorResponse(error: unknown, log: (error: unknown) => void): Response {
  if (error instanceof ApiError) {
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (error.code === "UNAUTHENTICATED") headers["www-authenticate"] = 'Bearer realm="ndx-consent-engine"';
    if (error.status === 503) headers["retry-after"] = "1";
    return Response.json(error.toJSON(), { status: error.status, headers });
  }
  log(error);
  return Response.json(
    { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" },
    { status: 500, headers: { "cache-control": "no-store" } },
  );
}
