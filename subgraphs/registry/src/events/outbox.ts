/**
 * The outbox: each applied change writes one event in the same transaction as the change, so an event exists if and
 * only if the change does. Positions are gapless and become visible in order (the head row's lock orders the
 * writers), so a consumer that remembers the last position it handled and asks for what follows misses nothing.
 * Events are thin — which record changed, to which version, which fields, by whose change request — and never carry
 * values: consumers read the record through the exchange, under its access control.
 */
import { randomUUID } from "node:crypto";
import type { Queryable } from "@ndx/platform";

export type RecordEventType = "record.created" | "record.updated" | "record.deleted";

export interface RecordEvent {
  readonly position: number;
  readonly eventId: string;
  readonly type: RecordEventType;
  readonly register: string;
  readonly recordId: string;
  readonly version: number;
  readonly changeRequestId: string;
  readonly submittedBy: string;
  readonly approvedBy: string;
  /** Names of the fields the change set, changed or removed (all fields for a creation or deletion). */
  readonly changedFields: readonly string[];
  readonly occurredAt: string;
}

export type NewRecordEvent = Omit<RecordEvent, "position" | "eventId" | "occurredAt">;

/**
 * Takes the next position. Call first in an applying transaction: the row lock it takes is held to the commit, so
 * the appliers run one after another and positions commit in order.
 */
export async function reserveOutboxPosition(tx: Queryable): Promise<number> {
  const rows = await tx.query<{ position: string | number }>(
    "UPDATE outbox_head SET position = position + 1 WHERE singleton RETURNING position",
  );
  return Number(rows.rows[0]?.position);
}

export async function appendOutbox(tx: Queryable, position: number, event: NewRecordEvent): Promise<void> {
  const { register, recordId, version, changeRequestId, type, ...body } = event;
  await tx.query(
    `INSERT INTO outbox (position, event_id, type, register, record_id, version, change_request_id, body)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [position, randomUUID(), type, register, recordId, version, changeRequestId, JSON.stringify(body)],
  );
}

export interface OutboxPage {
  readonly events: readonly RecordEvent[];
  /** Pass as `after` for the next page (the last position returned, or `after` when nothing new). */
  readonly next: number;
  readonly hasMore: boolean;
}

export async function readOutbox(db: Queryable, after: number, limit: number): Promise<OutboxPage> {
  const rows = await db.query<{
    position: string | number;
    event_id: string;
    type: RecordEventType;
    register: string;
    record_id: string;
    version: number;
    change_request_id: string;
    body: { submittedBy: string; approvedBy: string; changedFields: string[] };
    occurred_at: string;
  }>(
    `SELECT position, event_id, type, register, record_id, version, change_request_id, body,
            to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at
       FROM outbox WHERE position > $1 ORDER BY position LIMIT $2`,
    [after, limit + 1],
  );
  const events = rows.rows.slice(0, limit).map(
    (r): RecordEvent => ({
      position: Number(r.position),
      eventId: r.event_id,
      type: r.type,
      register: r.register,
      recordId: r.record_id,
      version: r.version,
      changeRequestId: r.change_request_id,
      submittedBy: r.body.submittedBy,
      approvedBy: r.body.approvedBy,
      changedFields: r.body.changedFields,
      occurredAt: r.occurred_at,
    }),
  );
  return { events, next: events.at(-1)?.position ?? after, hasMore: rows.rows.length > limit };
}
