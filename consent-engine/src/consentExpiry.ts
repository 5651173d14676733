/**
 * The expiry sweep: records EXPIRED for requests left unanswered and grants past their time (a check already treats
 * them as expired), announces each expired grant as a revision, and catches up on revisions this process did not hear
 * about (another instance, a lost notification).
 */
import type { Db } from "@ndx/platform";
import type { ConsentEvents } from "./consentMetrics.ts";
import { appendEvent, bumpRevision, changeStatus, currentRevision, dueForExpiry, findConsent } from "./consentStore.ts";
import { effectiveStatus } from "./consentView.ts";
import type { RevisionFeed } from "./revisionFeed.ts";

export interface ExpirySweepOptions {
  readonly db: Db;
  readonly now: () => Date;
  readonly feed: RevisionFeed;
  readonly metrics?: ConsentEvents | undefined;
}

/** Returns the sweep: it records what is due and returns how many consents changed. */
export function createExpirySweep(options: ExpirySweepOptions): () => Promise<number> {
  const { db, now, feed, metrics } = options;
  return async function expireDue() {
    const at = now();
    let changed = 0;
    for (const due of await dueForExpiry(db, at)) {
      const event = await db.transaction(async (tx) => {
        const row = await findConsent(tx, due.id, true);
        if (row === undefined || effectiveStatus(row, at) !== "EXPIRED" || row.status === "EXPIRED") return undefined;
        if (!(await changeStatus(tx, row.id, row.status, { status: "EXPIRED" }))) return undefined;
        await appendEvent(tx, row.id, { at, actor: "system:expiry", from: row.status, to: "EXPIRED", detail: {} });
        changed += 1;
        if (row.status !== "ACTIVE") return undefined;
        const base = { change: "expired" as const, consentId: row.id, consumerId: row.consumerId, citizenId: row.citizenId, at: at.toISOString() };
        return { ...base, revision: await bumpRevision(tx, base) };
      });
      if (event !== undefined) feed.publish(event);
    }
    if (changed > 0) metrics?.changed("expired", "system", changed);
    // Catch up on anything this process did not hear about (another instance, a lost notification).
    const revision = await currentRevision(db);
    if (revision > feed.latest) feed.publish({ revision, change: "resync", at: at.toISOString() });
    return changed;
  };
}
