/**
 * A consent's terms (issue 18): when it may first be used, how often (ONETIME, or PERIODIC with a frequency per
 * calendar window in UTC), and how long the consumer may keep what it read. The consumer proposes them when it opens a
 * request; the defaults are what a consent meant before terms existed: usable from the grant, unlimited, kept no
 * longer than the consent. Also: the windows uses are counted in, and the terms in plain words for the portal.
 */
import type { ConsentTerms, TermPeriod, TermUnit } from "@ndx/contracts";
import { badInput } from "./apiError.ts";

export type { ConsentTerms, TermPeriod, TermUnit };

/** The terms as stored and shown: every one decided (defaults applied). */
export interface Terms {
  /** Not usable before; null: from the grant. */
  readonly start: Date | null;
  readonly fetchType: "ONETIME" | "PERIODIC";
  /** PERIODIC: uses per window; null: unlimited (and always null for ONETIME: one use in all). */
  readonly frequency: TermPeriod | null;
  /** null: no longer than the consent lasts. */
  readonly dataLife: TermPeriod | null;
}

const defaultTerms: Terms = { start: null, fetchType: "PERIODIC", frequency: null, dataLife: null };

const units: readonly TermUnit[] = ["HOUR", "DAY", "MONTH", "YEAR"];
/** Longest start in the future a consumer may propose, and the largest value of a period. */
const maxStartAheadMs = 366 * 86_400_000;
const maxValue = 10_000;

function period(value: unknown, name: string): TermPeriod | null {
  if (value === undefined || value === null) return null;
  const o = typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const unit = o["unit"];
  const n = o["value"];
  if (typeof unit !== "string" || !units.includes(unit as TermUnit) || typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > maxValue) {
    throw badInput(`terms.${name} must be {unit: HOUR|DAY|MONTH|YEAR, value: a whole number from 1 to ${maxValue}}`, {
      property: `terms.${name}`,
    });
  }
  return { unit: unit as TermUnit, value: n };
}

/**
 * The terms of a request body (`terms`, optional), checked; BAD_USER_INPUT naming the property otherwise. With
 * `now`, a start more than a year ahead is refused too.
 */
export function parseTerms(value: unknown, now?: Date): Terms {
  if (value === undefined || value === null) return defaultTerms;
  if (typeof value !== "object" || Array.isArray(value)) throw badInput("terms must be an object", { property: "terms" });
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !["start", "fetchType", "frequency", "dataLife"].includes(k));
  if (unknown.length > 0) throw badInput(`terms has no ${unknown.join(", ")}`, { property: "terms" });
  const fetchType = o["fetchType"] ?? "PERIODIC";
  if (fetchType !== "ONETIME" && fetchType !== "PERIODIC") {
    throw badInput("terms.fetchType must be ONETIME or PERIODIC", { property: "terms.fetchType" });
  }
  const frequency = period(o["frequency"], "frequency");
  if (fetchType === "ONETIME" && frequency !== null) {
    throw badInput("terms.frequency is for PERIODIC consents (ONETIME is one use in all)", { property: "terms.frequency" });
  }
  let start: Date | null = null;
  if (o["start"] !== undefined && o["start"] !== null) {
    const raw = o["start"];
    start = typeof raw === "string" && /^\d{4}-\d\d-\d\dT/.test(raw) ? new Date(raw) : new Date(Number.NaN);
    if (Number.isNaN(start.getTime()) || (now !== undefined && start.getTime() > now.getTime() + maxStartAheadMs)) {
      throw badInput("terms.start must be an ISO 8601 date-time at most a year ahead", { property: "terms.start" });
    }
  }
  return { start, fetchType, frequency, dataLife: period(o["dataLife"], "dataLife") };
}

/** The terms in their wire form (only those that differ from the default). */
export function wireTerms(t: Terms): ConsentTerms {
  return {
    ...(t.start === null ? {} : { start: t.start.toISOString() }),
    ...(t.fetchType === "PERIODIC" ? {} : { fetchType: t.fetchType }),
    ...(t.frequency === null ? {} : { frequency: t.frequency }),
    ...(t.dataLife === null ? {} : { dataLife: t.dataLife }),
  };
}

/** The terms in a canonical form: with the scope, what makes two open requests the same request. */
export function termsKey(t: Terms): string {
  const p = (x: TermPeriod | null) => (x === null ? "-" : `${x.value}/${x.unit}`);
  return `${t.start?.toISOString() ?? "-"};${t.fetchType};${p(t.frequency)};${p(t.dataLife)}`;
}

/** How many uses a window allows, or null when unlimited. */
export function useLimit(t: Terms): number | null {
  return t.fetchType === "ONETIME" ? 1 : (t.frequency?.value ?? null);
}

/** The calendar window (UTC) that `at` falls in: its start, and its end (null: ONETIME's one window never ends). */
export function useWindow(t: Terms, at: Date): { start: Date; end: Date | null } {
  if (t.fetchType === "ONETIME" || t.frequency === null) return { start: new Date(0), end: null };
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  const h = at.getUTCHours();
  switch (t.frequency.unit) {
    case "HOUR":
      return { start: new Date(Date.UTC(y, m, d, h)), end: new Date(Date.UTC(y, m, d, h + 1)) };
    case "DAY":
      return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
    case "MONTH":
      return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
    case "YEAR":
      return { start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y + 1, 0, 1)) };
  }
}

/** `at` plus a period (calendar months and years). */
export function addPeriod(at: Date, p: TermPeriod): Date {
  const r = new Date(at);
  if (p.unit === "HOUR") r.setUTCHours(r.getUTCHours() + p.value);
  else if (p.unit === "DAY") r.setUTCDate(r.getUTCDate() + p.value);
  else if (p.unit === "MONTH") r.setUTCMonth(r.getUTCMonth() + p.value);
  else r.setUTCFullYear(r.getUTCFullYear() + p.value);
  return r;
}

const unitWords: Record<TermUnit, [string, string]> = {
  HOUR: ["hour", "hours"],
  DAY: ["day", "days"],
  MONTH: ["month", "months"],
  YEAR: ["year", "years"],
};
const amount = (p: TermPeriod) => `${p.value} ${unitWords[p.unit][p.value === 1 ? 0 : 1]}`;

/** How often, in plain words: "Once only", "Up to 3 times a day", "As often as needed while the consent lasts". */
export function frequencyWords(t: Terms): string {
  if (t.fetchType === "ONETIME") return "Once only";
  if (t.frequency === null) return "As often as needed while the consent lasts";
  const times = t.frequency.value === 1 ? "Once" : `Up to ${t.frequency.value} times`;
  return `${times} a${t.frequency.unit === "HOUR" ? "n" : ""} ${unitWords[t.frequency.unit][0]}`;
}

/** How long the consumer may keep the data, in plain words. */
export function dataLifeWords(t: Terms): string {
  return t.dataLife === null ? "No longer than this consent lasts" : `At most ${amount(t.dataLife)} after reading it`;
}
