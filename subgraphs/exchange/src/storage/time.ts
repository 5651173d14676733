/** Timestamps as the API shows them: ISO 8601 in UTC, whichever driver read them (pg and PGlite give Dates). */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return new Date(value).toISOString();
  throw new Error("not a timestamp");
}

export const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));
