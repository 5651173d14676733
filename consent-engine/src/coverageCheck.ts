/**
 * The check: which of the fields asked are covered by the citizen's live consents for this consumer and purpose, at
 * which revision, and until when the answer holds by itself. A consent covers a field only while it can be used now:
 * not paused, started, and with a use left in its window (consentTerms.ts); a field whose consents are all held back
 * is `withheld`, with the reason and when it renews. With `spend` (a gateway about to read the data) and every field
 * covered, one use of each consent with a frequency that the answer relies on is spent in the same transaction as the
 * read (consentUses.ts: a conditional upsert, so no use is spent twice across gateways). With `openRequest`, a request
 * is opened (or reused) for exactly the missing fields in the same call.
 */
import type { ConsentCheckAnswer, ConsentCheckRequest, TermPeriod, WithheldItem } from "@ndx/contracts";
import type { Db, Queryable } from "@ndx/platform";
import type { ConsentEvents } from "./consentMetrics.ts";
import type { ConsentRow } from "./consentStore.ts";
import { addPeriod, useLimit, useWindow } from "./consentTerms.ts";
import { liveConsents, spendUse, usesIn } from "./consentUses.ts";
import { isoOrNull } from "./consentView.ts";
import type { OpenRequest } from "./consentRequests.ts";
import type { ScopeItem } from "./scope.ts";

/** The answer, and what is asked: the wire contract the gateway checks answers against (@ndx/contracts). */
export type CheckResult = ConsentCheckAnswer;
export type CheckRequest = ConsentCheckRequest;

export interface CoverageCheckOptions {
  readonly db: Db;
  readonly now: () => Date;
  readonly validate: (input: ConsentCheckRequest) => Promise<ScopeItem[]>;
  readonly openRequest: OpenRequest;
  readonly metrics?: ConsentEvents | undefined;
}

/** A live consent as it stands now: usable (with its window when metered), or held back. */
type Standing =
  | { readonly usable: true; readonly spend?: { readonly windowStart: Date; readonly limit: number } }
  | { readonly usable: false; readonly reason: WithheldItem["reason"]; readonly renewsAt: Date | null };

function standing(c: ConsentRow, at: Date, used: ReadonlyMap<string, number>): Standing {
  if (c.status === "PAUSED") return { usable: false, reason: "PAUSED", renewsAt: null };
  if (c.terms.start !== null && c.terms.start > at) return { usable: false, reason: "NOT_STARTED", renewsAt: c.terms.start };
  const limit = useLimit(c.terms);
  if (limit === null) return { usable: true };
  const window = useWindow(c.terms, at);
  if ((used.get(c.id) ?? 0) >= limit) return { usable: false, reason: "EXHAUSTED", renewsAt: window.end };
  return { usable: true, spend: { windowStart: window.start, limit } };
}

interface Coverage extends Pick<CheckResult, "status" | "covered" | "missing" | "validUntil" | "withheld" | "dataLife"> {
  /** The metered consents the answer relies on: one use of each is spent for a read. */
  readonly toSpend: readonly { consentId: string; windowStart: Date; limit: number }[];
}

const names = (c: ConsentRow, item: ScopeItem) => c.scope.some((s) => s.provider === item.provider && s.field === item.field);
const earliest = (dates: readonly (Date | null)[]): Date | null =>
  dates.reduce<Date | null>((a, d) => (d === null ? a : a === null || d < a ? d : a), null);

function coverage(fields: readonly ScopeItem[], live: readonly ConsentRow[], at: Date, used: ReadonlyMap<string, number>): Coverage {
  const standings = new Map(live.map((c) => [c.id, standing(c, at, used)]));
  const covered: (ScopeItem & { consentIds: string[]; validUntil: string })[] = [];
  const missing: ScopeItem[] = [];
  const withheld: WithheldItem[] = [];
  const spend = new Map<string, { consentId: string; windowStart: Date; limit: number }>();
  const relied = new Set<ConsentRow>();
  let validUntil: Date | null = null;
  for (const item of fields) {
    const naming = live.filter((c) => names(c, item));
    const usable = naming.filter((c) => standings.get(c.id)?.usable === true);
    if (naming.length === 0) missing.push(item);
    else if (usable.length === 0) {
      const held = naming.map((c) => standings.get(c.id)).filter((s): s is Extract<Standing, { usable: false }> => s?.usable === false);
      const reason = held.some((s) => s.reason === "PAUSED") ? "PAUSED" : held.every((s) => s.reason === "NOT_STARTED") ? "NOT_STARTED" : "EXHAUSTED";
      const renewsAt = earliest(held.map((s) => s.renewsAt));
      withheld.push({ ...item, consentIds: naming.map((c) => c.id), reason, renewsAt: isoOrNull(renewsAt) });
    } else {
      const until = new Date(Math.max(...usable.map((c) => c.expiresAt?.getTime() ?? 0)));
      if (validUntil === null || until < validUntil) validUntil = until;
      covered.push({ ...item, consentIds: usable.map((c) => c.id), validUntil: until.toISOString() });
      usable.forEach((c) => relied.add(c));
      // Unlimited consents cost nothing; otherwise one use of a metered consent (one already chosen if it can).
      const metered = usable.map((c) => ({ c, s: standings.get(c.id) }));
      if (metered.some(({ s }) => s?.usable === true && s.spend === undefined)) continue;
      if (metered.some(({ c }) => spend.has(c.id))) continue;
      const first = metered[0];
      if (first?.s?.usable === true && first.s.spend !== undefined) spend.set(first.c.id, { consentId: first.c.id, ...first.s.spend });
    }
  }
  const status = missing.length + withheld.length === 0 ? "covered" : covered.length === 0 ? "missing" : "partial";
  let dataLife: TermPeriod | null = null;
  for (const c of relied) {
    const life = c.terms.dataLife;
    if (life !== null && (dataLife === null || addPeriod(at, life) < addPeriod(at, dataLife))) dataLife = life;
  }
  return { status, covered, missing, withheld, validUntil: isoOrNull(validUntil), dataLife, toSpend: [...spend.values()] };
}

/** A use was spent by another gateway between the read and the spend: read again. */
class SpentMeanwhile extends Error {}

export function createCoverageCheck(options: CoverageCheckOptions): (input: CheckRequest) => Promise<CheckResult> {
  const { db, now, validate, openRequest, metrics } = options;

  const evaluate = async (q: Queryable, input: CheckRequest, fields: readonly ScopeItem[], at: Date, spend: boolean) => {
    const live = await liveConsents(q, input, at);
    // Uses are read only when a consent has a frequency: the common (unlimited) path is one query.
    const metered = live.consents.filter((c) => useLimit(c.terms) !== null);
    const used = await usesIn(q, metered.map((c) => ({ consentId: c.id, start: useWindow(c.terms, at).start })));
    const result = coverage(fields, live.consents, at, used);
    if (spend && result.status === "covered") {
      for (const s of result.toSpend) if (!(await spendUse(q, s.consentId, s.windowStart, s.limit, at))) throw new SpentMeanwhile();
    }
    return { revision: live.revision, ...result };
  };

  const answer = async (input: CheckRequest, fields: readonly ScopeItem[], at: Date) => {
    if (input.spend !== true) return evaluate(db, input, fields, at, false);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await db.transaction((tx) => evaluate(tx, input, fields, at, true));
      } catch (error) {
        if (!(error instanceof SpentMeanwhile) || attempt >= 5) throw error;
      }
    }
  };

  return async function check(input) {
    const fields = await validate(input);
    const at = now();
    const { revision, status, covered, missing, withheld, validUntil, dataLife, toSpend } = await answer(input, fields, at);
    const result: CheckResult = {
      status,
      revision,
      covered,
      missing,
      validUntil,
      checkedAt: at.toISOString(),
      ...(withheld !== undefined && withheld.length > 0 ? { withheld } : {}),
      metered: toSpend.length > 0,
      dataLife: dataLife ?? null,
    };
    metrics?.checked(result.status);
    if (input.openRequest !== true || result.missing.length === 0) return result;
    const { consent } = await openRequest({ ...input, fields: result.missing });
    return {
      ...result,
      request: { consentRequestId: consent.consentId, consentUrl: consent.consentUrl, expiresAt: consent.requestExpiresAt },
    };
  };
}
