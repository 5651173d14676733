/**
 * Validation of what reaches an adapter from outside: query arguments and entity keys. A bad value is a
 * BAD_USER_INPUT naming the argument, raised before any upstream call; the value itself is not echoed.
 */
import { ndxError } from "@ndx/platform";

export function checkArgument(value: unknown, pattern: RegExp, argument: string, expected: string): string {
  if (typeof value !== "string" || value.length > 256 || !pattern.test(value)) {
    // Inside a subgraph the HTTP status stays 200: the gateway merges our errors into its own response.
    throw ndxError("BAD_USER_INPUT", `${argument} must be ${expected}`, { details: { argument }, httpStatus: false });
  }
  return value;
}

/** A national identity number: 12 digits. */
export function parseNic(value: unknown, argument = "nic"): string {
  return checkArgument(value, /^\d{12}$/, argument, "a 12-digit national identity number");
}
