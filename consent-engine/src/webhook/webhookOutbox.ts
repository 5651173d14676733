/**
 * The webhook outbox's SQL: a notice queued in the answer's own transaction, claimed by a delivery round with a lease
 * (so two engine instances never deliver the same notice at once), then marked delivered, retried later, or given up.
 */
import type { Queryable } from "@ndx/platform";

export interface WebhookNotice {
  readonly id: number;
  readonly consentId: string;
  readonly consumerId: string;
  readonly url: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly attempts: number;
}

export async function enqueueNotice(
  q: Queryable,
  notice: { consentId: string; consumerId: string; url: string; payload: Record<string, unknown>; at: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO consent_webhook_outbox (consent_id, consumer_id, url, payload, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $5)`,
    [notice.consentId, notice.consumerId, notice.url, JSON.stringify(notice.payload), notice.at],
  );
}

/** Claims up to `limit` due notices until `leaseUntil` (another round skips them meanwhile). */
export async function claimDue(q: Queryable, now: Date, leaseUntil: Date, limit = 20): Promise<WebhookNotice[]> {
  const { rows } = await q.query<{ id: string | number; consent_id: string; consumer_id: string; url: string; payload: Record<string, unknown>; attempts: number }>(
    `UPDATE consent_webhook_outbox SET next_attempt_at = $2
     WHERE id IN (SELECT id FROM consent_webhook_outbox
                  WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING id, consent_id, consumer_id, url, payload, attempts`,
    [now, leaseUntil, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), consentId: r.consent_id, consumerId: r.consumer_id, url: r.url, payload: r.payload, attempts: r.attempts }));
}

export async function markDelivered(q: Queryable, id: number, at: Date): Promise<void> {
  await q.query("UPDATE consent_webhook_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1", [id, at]);
}

/** A failed attempt: tried again at `retryAt`, or given up (`retryAt` null). */
export async function markFailed(q: Queryable, id: number, error: string, at: Date, retryAt: Date | null): Promise<void> {
  await q.query(
    `UPDATE consent_webhook_outbox SET attempts = attempts + 1, last_error = $2,
       next_attempt_at = COALESCE($3, next_attempt_at), failed_at = CASE WHEN $3::timestamptz IS NULL THEN $4::timestamptz END
     WHERE id = $1`,
    [id, error.slice(0, 200), retryAt, at],
  );
}
