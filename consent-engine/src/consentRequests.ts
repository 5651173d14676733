/**
 * Opening a consent request: a PENDING consent for exactly the fields asked, waiting for the citizen's answer until
 * its request expiry. An open request for the same consumer, citizen, purpose and scope is reused, not repeated.
 */
import type { Db } from "@ndx/platform";
import type { ConsentEvents } from "./consentMetrics.ts";
import { appendEvent, findConsent, findOpenIdentical, insertPending, type ConsentRow } from "./consentStore.ts";
import { newConsentId, type ConsentView } from "./consentView.ts";
import { scopeKey, type ScopeItem } from "./scope.ts";
import type { ScopeRequest } from "./scopeRequest.ts";

export interface RequestOpeningOptions {
  readonly db: Db;
  readonly now: () => Date;
  /** How long a request waits for an answer, in milliseconds. */
  readonly requestTtlMs: number;
  readonly validate: (input: ScopeRequest) => Promise<ScopeItem[]>;
  readonly view: (row: ConsentRow) => Promise<ConsentView>;
  readonly metrics?: ConsentEvents | undefined;
}

export type OpenRequest = (input: ScopeRequest) => Promise<{ consent: ConsentView; created: boolean }>;

export function createRequestOpening(options: RequestOpeningOptions): OpenRequest {
  const { db, now, requestTtlMs, validate, view, metrics } = options;
  return async function openRequest(input) {
    const fields = await validate(input);
    const key = scopeKey(fields);
    const at = now();
    const row = await db.transaction(async (tx) => {
      const open = await findOpenIdentical(tx, { ...input, scopeKey: key }, at);
      if (open !== undefined) return { row: open, created: false };
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
      });
      await appendEvent(tx, id, { at, actor: `consumer:${input.consumerId}`, from: null, to: "PENDING", detail: {} });
      const inserted = await findConsent(tx, id);
      if (inserted === undefined) throw new Error("inserted consent not found");
      return { row: inserted, created: true };
    });
    metrics?.opened(row.created);
    return { consent: await view(row.row), created: row.created };
  };
}
