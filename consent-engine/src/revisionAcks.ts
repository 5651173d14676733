/**
 * The gateways' acknowledgements of the revision stream, kept in the database so that every engine instance sees
 * those sent to the others (consent_revision_ack, migration 005). The contract with a gateway is revisionFollowers.ts's
 * (@ndx/platform): it uses a cached answer only until `staleAfterMs` after it sent its last acknowledgement that was
 * confirmed, and an acknowledgement is confirmed only when it names the latest revision.
 *
 * Why a revocation at one instance may answer as soon as no row lags behind it, and never earlier:
 * - An acknowledgement reads the latest revision `FOR SHARE` and stores its row in the same transaction. A revision
 *   being committed holds that row (`UPDATE consent_revision`), so an acknowledgement that read an older revision
 *   was stored before the new one committed, and one that waited reads the new one. Once revision R has committed
 *   (and `settled(R)` runs only then), every gateway that could still use an answer cached before R has a visible row
 *   with a revision below R and `confirmed_at + staleAfterMs` ahead (its own deadline counts from when it sent, which
 *   was earlier).
 * - Every other gateway either applied R (it acknowledges only what it applied) or cannot use its cache any more.
 * The waiting is bounded by `staleAfterMs` from the revocation: by then no gateway can use what it cached before it,
 * whatever the table says (and if the table cannot be read).
 */
import type { Db, Logger, Queryable, Settlement } from "@ndx/platform";

export interface AckAnswer {
  readonly confirmed: boolean;
  /** The latest revision, as read under the lock. */
  readonly latest: number;
}

/** The latest revision, held until the transaction ends: a revision being committed waits for it (see above). */
export const readLatestHeld = "SELECT value FROM consent_revision FOR SHARE";

/** Confirms an acknowledgement of `revision` when it is at least the latest (and `floor`), storing it. */
export function confirmAcknowledgement(db: Db, subscriber: string, revision: number, floor: number): Promise<AckAnswer> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ value: string | number }>(readLatestHeld);
    const latest = Math.max(Number(rows[0]?.value ?? 0), floor);
    const confirmed = revision >= latest;
    if (confirmed) {
      await tx.query(
        `INSERT INTO consent_revision_ack (subscriber, revision, confirmed_at) VALUES ($1, $2, clock_timestamp())
         ON CONFLICT (subscriber) DO UPDATE SET revision = GREATEST(consent_revision_ack.revision, EXCLUDED.revision), confirmed_at = EXCLUDED.confirmed_at`,
        [subscriber, revision],
      );
    }
    return { confirmed, latest };
  });
}

interface AckState {
  /** Subscribers whose cache may still be used that have applied the revision. */
  readonly acknowledged: readonly string[];
  /** Subscribers whose cache may still be used that have not. */
  readonly lagging: readonly string[];
}

/** Who, among the gateways that may still use their cache, has applied `revision` and who has not. */
async function acknowledgementsOf(q: Queryable, revision: number, staleAfterMs: number): Promise<AckState> {
  const { rows } = await q.query<{ subscriber: string; applied: boolean }>(
    `SELECT subscriber, revision >= $1 AS applied FROM consent_revision_ack
      WHERE confirmed_at > clock_timestamp() - make_interval(secs => $2::float8 / 1000)`,
    [revision, staleAfterMs],
  );
  return { acknowledged: rows.filter((r) => r.applied).map((r) => r.subscriber), lagging: rows.filter((r) => !r.applied).map((r) => r.subscriber) };
}

/** Removes the rows that mean nothing any more (past their deadline, with a margin). */
async function forgetLapsedAcknowledgements(q: Queryable, staleAfterMs: number): Promise<void> {
  await q.query("DELETE FROM consent_revision_ack WHERE confirmed_at < clock_timestamp() - make_interval(secs => $1::float8 / 1000)", [(2 * staleAfterMs) + 60_000]);
}

/**
 * `settled(revision)`: polls the acknowledgements until no gateway that may still use its cache lags behind
 * `revision`, and never past `staleAfterMs` after it began (by then none can, whatever the table says or if it cannot
 * be read). In the first `staleAfterMs` after start it also waits that out: an instance of an earlier version that ran
 * before this one kept its acknowledgements in memory only.
 */
export function createSettlement(options: { db: Db; staleAfterMs: number; pollMs: number; now: () => number; logger: Logger }): (revision: number) => Promise<Settlement> {
  const { db, staleAfterMs, pollMs, now, logger } = options;
  const startedAt = now();
  return async (revision: number): Promise<Settlement> => {
    const begun = now();
    const deadline = begun + staleAfterMs;
    let acknowledged: readonly string[] = [];
    const waitedFor = new Set<string>();
    for (;;) {
      let lagging: number | undefined;
      try {
        const state = await acknowledgementsOf(db, revision, staleAfterMs);
        ({ acknowledged } = state);
        lagging = state.lagging.length;
        for (const subscriber of state.lagging) waitedFor.add(subscriber);
      } catch (error) {
        logger.warn({ err: error }, "the gateways' acknowledgements cannot be read; the revocation waits out the whole deadline");
      }
      const t = now();
      if ((lagging === 0 && t >= startedAt + staleAfterMs) || t >= deadline) {
        void forgetLapsedAcknowledgements(db, staleAfterMs).catch(() => undefined);
        // Lapsed: waited for, and never acknowledged before it could no longer use its cache.
        const lapsed = [...waitedFor].filter((s) => !acknowledged.includes(s)).length;
        return { at: new Date(), acknowledged: acknowledged.length, lapsed, waitedMs: Math.round(t - begun) };
      }
      const wait = lagging === 0 ? startedAt + staleAfterMs - t : lagging === undefined ? deadline - t : pollMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(wait, deadline - t))));
    }
  };
}
