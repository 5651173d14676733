/**
 * Opening a consent request: a PENDING consent for exactly the fields asked, with the terms the consumer proposes
 * (consentTerms.ts) and the purpose's text as registered now, waiting for the citizen's answer until its request
 * expiry. An open request of the same application and purpose for the citizen, with the same scope and terms, is
 * reused, not repeated; one with another scope or other terms is replaced: marked SUPERSEDED (its page says so).
 */
import type { Db } from "@ndx/platform";
import type { ConsentEvents } from "./consentMetrics.ts";
import { appendEvent, changeStatus, findConsent, findOpen, insertPending, type ConsentRow } from "./consentStore.ts";
import { parseTerms, termsKey } from "./consentTerms.ts";
import { newConsentId, type ConsentView } from "./consentView.ts";
import { scopeKey, type ScopeItem } from "./scope.ts";
import type { ScopeRequest } from "./scopeRequest.ts";

export interface RequestOpeningOptions {
  readonly db: Db;
  readonly now: () => Date;
  /** How long a request waits for an answer, in milliseconds. */
  readonly requestTtlMs: number;
  readonly validate: (input: ScopeRequest) => Promise<ScopeItem[]>;
  /** The purpose's text as registered now (kept with the request: what the citizen is asked about). */
  readonly purposeText: (consumerId: string, purpose: string) => string;
  readonly view: (row: ConsentRow) => Promise<ConsentView>;
  readonly metrics?: ConsentEvents | undefined;
}

export type OpenRequest = (input: ScopeRequest) => Promise<{ consent: ConsentView; created: boolean }>;

export function createRequestOpening(options: RequestOpeningOptions): OpenRequest {
  const { db, now, requestTtlMs, validate, view, metrics } = options;
  return async function openRequest(input) {
    const fields = await validate(input);
    const at = now();
    const terms = parseTerms(input.terms, at);
    const key = scopeKey(fields);
    const tKey = termsKey(terms);
    const actor = `consumer:${input.consumerId}`;
    const row = await db.transaction(async (tx) => {
      const open = await findOpen(tx, input, at);
      const same = open.find((o) => o.scopeKey === key && o.termsKey === tKey);
      if (same !== undefined) return { row: same, created: false };
      const id = newConsentId();
      await insertPending(tx, {
        id,
        consumerId: input.consumerId,
        citizenId: input.citizenId,
        purpose: input.purpose,
        scope: fields,
        scopeKey: key,
        createdAt: at,
        requestExpiresAt: new Date(at.getTime() + requestTtlMs),
        terms,
        termsKey: tKey,
        purposeText: options.purposeText(input.consumerId, input.purpose),
      });
      await appendEvent(tx, id, { at, actor, from: null, to: "PENDING", detail: {} });
      // The application asks again for something else: the request it sent the citizen before is replaced.
      for (const old of open) {
        if (!(await changeStatus(tx, old.id, "PENDING", { status: "SUPERSEDED", supersededBy: id }))) continue;
        await appendEvent(tx, old.id, { at, actor, from: "PENDING", to: "SUPERSEDED", detail: { supersededBy: id } });
      }
      const inserted = await findConsent(tx, id);
      if (inserted === undefined) throw new Error("inserted consent not found");
      return { row: inserted, created: true };
    });
    metrics?.opened(row.created);
    return { consent: await view(row.row), created: row.created };
  };
}
