/** Opaque cursors for the keyset pagination of records and change requests. */
import { ndxError } from "@ndx/platform";

export function encodePageCursor(kind: string, position: string | number): string {
  return Buffer.from(`${kind}:${position}`).toString("base64url");
}

/** The position in a cursor of this kind, or BAD_USER_INPUT naming `after`. */
export function parsePageCursor(kind: string, value: string | null | undefined, valid: RegExp): string | undefined {
  if (value === null || value === undefined) return undefined;
  const decoded = Buffer.from(value, "base64url").toString("utf8");
  const position = decoded.slice(kind.length + 1);
  if (!decoded.startsWith(`${kind}:`) || !valid.test(position)) {
    throw ndxError("BAD_USER_INPUT", "after is not a cursor returned by this list", { details: { argument: "after" }, httpStatus: false });
  }
  return position;
}
