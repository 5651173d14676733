/**
 * The consent terms a consumer proposes (issue 18), read from its request's `X-Consent-Terms` header: JSON, checked
 * against the contract (`consentTerms` of @ndx/contracts: start, fetchType ONETIME|PERIODIC, frequency and data life
 * `{unit: HOUR|DAY|MONTH|YEAR, value}`). They matter only when a consent request is opened; without the header, the
 * defaults (from the grant, unlimited, kept no longer than the consent). And the data life of a permitted read, told
 * to the consumer in the response's `extensions.consent`.
 */
import { consentTerms, type ConsentTerms, type TermPeriod } from "@ndx/contracts";

const consentTermsHeader = "x-consent-terms";

export type ProposedTerms = { readonly ok: true; readonly terms: ConsentTerms | undefined } | { readonly ok: false; readonly problem: string };

export function proposedTerms(headers: Headers): ProposedTerms {
  const raw = headers.get(consentTermsHeader);
  if (raw === null || raw.trim() === "") return { ok: true, terms: undefined };
  if (raw.length > 1024) return { ok: false, problem: "it is longer than 1024 characters" };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, problem: "it is not JSON" };
  }
  const parsed = consentTerms.parse(json);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  if (parsed.value.fetchType === "ONETIME" && parsed.value.frequency !== undefined) {
    return { ok: false, problem: "a frequency is for PERIODIC consents (ONETIME is one use in all)" };
  }
  return { ok: true, terms: parsed.value };
}

/** What a permitted read tells the consumer about keeping the data: the data life and the time it ends. */
export interface DataLifeNotice {
  /** The shortest data life of the consents relied on; null: no longer than the consent. */
  readonly dataLife: TermPeriod | null;
  /** Delete what was read by then. */
  readonly keepUntil: string;
}

function plus(at: Date, p: TermPeriod): Date {
  const r = new Date(at);
  if (p.unit === "HOUR") r.setUTCHours(r.getUTCHours() + p.value);
  else if (p.unit === "DAY") r.setUTCDate(r.getUTCDate() + p.value);
  else if (p.unit === "MONTH") r.setUTCMonth(r.getUTCMonth() + p.value);
  else r.setUTCFullYear(r.getUTCFullYear() + p.value);
  return r;
}

/**
 * The notice for the consents one read relied on: the shortest data life (and the earliest end) among the citizens'
 * answers; undefined when none states a data life (the default, "no longer than the consent", changes nothing in the
 * response, as before terms existed).
 */
export function dataLifeNotice(answers: readonly { dataLife?: TermPeriod | null; validUntil?: string | null }[], now: Date): DataLifeNotice | undefined {
  let keepUntil: Date | undefined;
  let dataLife: TermPeriod | null = null;
  for (const a of answers) {
    const until = a.dataLife !== undefined && a.dataLife !== null ? plus(now, a.dataLife) : a.validUntil ? new Date(a.validUntil) : undefined;
    if (until === undefined) continue;
    if (keepUntil === undefined || until < keepUntil) {
      keepUntil = until;
      dataLife = a.dataLife ?? null;
    }
  }
  if (keepUntil === undefined || !answers.some((a) => a.dataLife !== undefined && a.dataLife !== null)) return undefined;
  return { dataLife, keepUntil: keepUntil.toISOString() };
}
