/** The exchange's errors: NDX codes (docs/architecture.md#errors), without an HTTP status (the gateway merges subgraph answers). */
import { ndxError, type ErrorCode } from "@ndx/platform";
import type { GraphQLError } from "graphql";

const error = (code: ErrorCode) => (message: string, details?: Record<string, unknown>): GraphQLError =>
  ndxError(code, message, { httpStatus: false, ...(details === undefined ? {} : { details }) });

export const badInput = error("BAD_USER_INPUT");
export const forbidden = error("FORBIDDEN");
export const conflict = error("CONFLICT");
export const notFound = error("NOT_FOUND");
export const unauthenticated = error("UNAUTHENTICATED");

/** PostgreSQL's unique_violation, as both drivers report it. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && (err).code === "23505";
}
