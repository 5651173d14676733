import { checkArgument } from "@ndx/adapter-kit";

/** A Farajaland registration number: FJ-1234-AB. */
export function parseRegNo(value: unknown): string {
  return checkArgument(value, /^[A-Z]{2}-\d{4}-[A-Z]{2}$/, "regNo", "a registration number like FJ-1234-AB");
}
