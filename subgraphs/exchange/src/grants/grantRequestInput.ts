/** What a field-grant request must hold: known fields of the live supergraph, a purpose of its application, an end date in reach. */
import type { FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import { badInput } from "../errors.ts";
import { atMost, limits } from "../inputChecks.ts";

export interface FieldRef {
  readonly provider: string;
  readonly coordinate: string;
}

/** The fields asked, grouped by provider in the order first named; unknown ones are refused, all named at once. */
export function checkFields(catalogue: FieldCatalogue, fields: readonly FieldRef[]): Map<string, string[]> {
  atMost(fields, "fields", limits.fields, 1);
  const unknown = fields.filter((f) => catalogue.field(f.provider, f.coordinate) === undefined).map((f) => `${f.provider}:${f.coordinate}`);
  if (unknown.length > 0) {
    throw badInput(`Not fields of the supergraph's providers: ${unknown.slice(0, 20).join(", ")}`, { unknownFields: unknown.slice(0, 50) });
  }
  const parts = new Map<string, string[]>();
  for (const f of fields) {
    const part = parts.get(f.provider) ?? [];
    if (!part.includes(f.coordinate)) part.push(f.coordinate);
    parts.set(f.provider, part);
  }
  return parts;
}

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const day = 86_400_000;

/** The end date as ISO 8601 UTC: in the future, at most `maxGrantDays` from `now`. */
export function checkEndsAt(value: string, maxGrantDays: number, now: number): string {
  const at = dateTime.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw badInput("endsAt must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T00:00:00Z", { field: "endsAt" });
  if (at <= now) throw badInput("endsAt is in the past: a grant must end in the future", { field: "endsAt" });
  if (at > now + maxGrantDays * day) {
    throw badInput(`endsAt is beyond the purpose's maximum of ${maxGrantDays} days`, { field: "endsAt", maxGrantDays });
  }
  return new Date(at).toISOString();
}
