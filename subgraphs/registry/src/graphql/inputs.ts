/** Validation of the registry's query arguments: each bad value is a BAD_USER_INPUT naming the argument. */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";

const maxPageSize = 100;

// Inside a subgraph the HTTP status stays 200: the gateway merges our errors into its own response.
const bad = (message: string, argument: string): GraphQLError =>
  ndxError("BAD_USER_INPUT", message, { details: { argument }, httpStatus: false });

export function parseNic(value: string, argument = "nic"): string {
  if (!/^\d{12}$/.test(value)) throw bad(`${argument} must be a 12-digit national identity number`, argument);
  return value;
}

export function parseDate(value: string | null | undefined, argument: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = new Date(`${value}T00:00:00Z`);
  if (match === null || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw bad(`${argument} must be a date as YYYY-MM-DD`, argument);
  }
  return value;
}

export function parsePageSize(value: number | null | undefined): number {
  const n = value ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > maxPageSize) {
    throw bad(`first must be between 1 and ${maxPageSize}`, "first");
  }
  return n;
}

export function parseDistrict(value: string | null | undefined, known: ReadonlySet<string>): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!known.has(value)) {
    throw bad(`Unknown district "${value.slice(0, 60)}"; the \`districts\` query lists the known ones`, "filter.district");
  }
  return value;
}

const cursorPrefix = "person:";

export function encodeCursor(nic: string): string {
  return Buffer.from(`${cursorPrefix}${nic}`).toString("base64url");
}

export function parseCursor(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const decoded = Buffer.from(value, "base64url").toString("utf8");
  if (!decoded.startsWith(cursorPrefix) || !/^\d{12}$/.test(decoded.slice(cursorPrefix.length))) {
    throw bad("after is not a cursor returned by this API", "after");
  }
  return decoded.slice(cursorPrefix.length);
}
