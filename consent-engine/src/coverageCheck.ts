/**
 * The check: which of the fields asked are covered by the citizen's live grants for this consumer and purpose, at
 * which revision, and until when the answer holds by itself. With `openRequest`, a request is opened (or reused) for
 * exactly the missing fields in the same call.
 */
import type { ConsentCheckAnswer, ConsentCheckRequest } from "@ndx/contracts";
import type { Db } from "@ndx/platform";
import type { ConsentEvents } from "./consentMetrics.ts";
import { liveConsents, type LiveConsents } from "./consentStore.ts";
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

type Coverage = Pick<CheckResult, "status" | "covered" | "missing" | "validUntil">;

/** Each field is covered by the live grants naming it, until the latest of their expiries. */
function coverage(fields: readonly ScopeItem[], live: LiveConsents["consents"]): Coverage {
  const covered: (ScopeItem & { consentIds: string[]; validUntil: string })[] = [];
  const missing: ScopeItem[] = [];
  let validUntil: Date | null = null;
  for (const item of fields) {
    const matching = live.filter((c) => c.scope.some((s) => s.provider === item.provider && s.field === item.field));
    if (matching.length === 0) {
      missing.push(item);
      continue;
    }
    const until = new Date(Math.max(...matching.map((c) => c.expiresAt.getTime())));
    if (validUntil === null || until < validUntil) validUntil = until;
    covered.push({ ...item, consentIds: matching.map((c) => c.id), validUntil: until.toISOString() });
  }
  const status = missing.length === 0 ? "covered" : covered.length === 0 ? "missing" : "partial";
  return { status, covered, missing, validUntil: isoOrNull(validUntil) };
}

export function createCoverageCheck(options: CoverageCheckOptions): (input: CheckRequest) => Promise<CheckResult> {
  const { db, now, validate, openRequest, metrics } = options;
  return async function check(input) {
    const fields = await validate(input);
    const at = now();
    const live = await liveConsents(db, input, at);
    const { status, covered, missing, validUntil } = coverage(fields, live.consents);
    const result: CheckResult = { status, revision: live.revision, covered, missing, validUntil, checkedAt: at.toISOString() };
    metrics?.checked(result.status);
    if (input.openRequest !== true || result.missing.length === 0) return result;
    const { consent } = await openRequest({ ...input, fields: result.missing });
    return {
      ...result,
      request: { consentRequestId: consent.consentId, consentUrl: consent.consentUrl, expiresAt: consent.requestExpiresAt },
    };
  };
}
