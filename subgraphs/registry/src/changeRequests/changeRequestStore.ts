/** The change-request tables: requests and their transitions. Parameterised SQL only. */
import type { Queryable } from "@ndx/platform";
import type { ChangeRequestStatus } from "./changeRequestStates.ts";
import type { Sealed } from "../keys/fieldCipher.ts";
import type { DuplicateCandidate } from "../records/matchIndex.ts";

export type ChangeOperation = "CREATE" | "UPDATE" | "DELETE";

export interface ChangeRequestRow {
  readonly id: string;
  readonly seq: number;
  readonly register: string;
  readonly recordId: string;
  readonly operation: ChangeOperation;
  readonly baseVersion: number | null;
  /** Plain fields of the payload; null for a deletion. */
  readonly payload: Record<string, unknown> | null;
  readonly sealedPayload: Sealed;
  readonly reason: string;
  readonly status: ChangeRequestStatus;
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly idempotencyKey: string;
  readonly requestDigest: string;
  readonly duplicates: readonly DuplicateCandidate[];
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionComment: string | null;
  readonly appliedVersion: number | null;
}

export interface Transition {
  readonly changeRequestId: string;
  readonly from: ChangeRequestStatus | null;
  readonly to: ChangeRequestStatus;
  readonly by: string;
  readonly roles: readonly string[];
  readonly comment: string | null;
  readonly at: string;
}

export interface ChangeRequestFilter {
  readonly status?: readonly ChangeRequestStatus[] | undefined;
  readonly register?: string | undefined;
  readonly recordId?: string | undefined;
  readonly submittedBy?: string | undefined;
  readonly operation?: ChangeOperation | undefined;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const columns = `id::text AS "id", seq::int AS "seq", register, record_id AS "recordId", operation, base_version AS "baseVersion",
  payload, sealed_payload AS "sealedPayload", reason, status, submitted_by AS "submittedBy",
  ${iso("submitted_at")} AS "submittedAt", idempotency_key AS "idempotencyKey", request_digest AS "requestDigest",
  duplicates, decided_by AS "decidedBy", ${iso("decided_at")} AS "decidedAt", decision_comment AS "decisionComment",
  applied_version AS "appliedVersion"`;

const where = `($1::text[] IS NULL OR status = ANY($1::text[]))
  AND ($2::text IS NULL OR register = $2)
  AND ($3::text IS NULL OR record_id = $3)
  AND ($4::text IS NULL OR submitted_by = $4)
  AND ($5::text IS NULL OR operation = $5)`;

const filterParams = (f: ChangeRequestFilter) => [
  f.status === undefined || f.status.length === 0 ? null : [...f.status],
  f.register ?? null,
  f.recordId ?? null,
  f.submittedBy ?? null,
  f.operation ?? null,
];

export type NewChangeRequest = Omit<
  ChangeRequestRow,
  "seq" | "status" | "submittedAt" | "decidedBy" | "decidedAt" | "decisionComment" | "appliedVersion"
>;

export const changeRequestStore = {
  /** Inserts a PENDING request; false when the submitter already used this idempotency key. */
  async insert(tx: Queryable, cr: NewChangeRequest): Promise<boolean> {
    const result = await tx.query(
      `INSERT INTO change_request (id, register, record_id, operation, base_version, payload, sealed_payload, reason, status,
                                   submitted_by, idempotency_key, request_digest, duplicates)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, 'PENDING', $9, $10, $11, $12::jsonb)
       ON CONFLICT (submitted_by, idempotency_key) DO NOTHING`,
      [
        cr.id,
        cr.register,
        cr.recordId,
        cr.operation,
        cr.baseVersion,
        cr.payload === null ? null : JSON.stringify(cr.payload),
        JSON.stringify(cr.sealedPayload),
        cr.reason,
        cr.submittedBy,
        cr.idempotencyKey,
        cr.requestDigest,
        JSON.stringify(cr.duplicates),
      ],
    );
    return result.rowCount === 1;
  },

  async byId(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<ChangeRequestRow | undefined> {
    const rows = await db.query<ChangeRequestRow>(
      `SELECT ${columns} FROM change_request WHERE id = $1::uuid${options.forUpdate === true ? " FOR UPDATE" : ""}`,
      [id],
    );
    return rows.rows[0];
  },

  async byIds(db: Queryable, ids: readonly string[]): Promise<ChangeRequestRow[]> {
    return (await db.query<ChangeRequestRow>(`SELECT ${columns} FROM change_request WHERE id = ANY($1::uuid[])`, [ids])).rows;
  },

  async byIdempotencyKey(db: Queryable, submittedBy: string, key: string): Promise<ChangeRequestRow | undefined> {
    const rows = await db.query<ChangeRequestRow>(
      `SELECT ${columns} FROM change_request WHERE submitted_by = $1 AND idempotency_key = $2`,
      [submittedBy, key],
    );
    return rows.rows[0];
  },

  async decide(
    tx: Queryable,
    id: string,
    decision: { status: ChangeRequestStatus; by: string; comment: string | null; appliedVersion: number | null },
  ): Promise<void> {
    await tx.query(
      `UPDATE change_request SET status = $2, decided_by = $3, decided_at = now(), decision_comment = $4, applied_version = $5
        WHERE id = $1::uuid`,
      [id, decision.status, decision.by, decision.comment, decision.appliedVersion],
    );
  },

  async addTransition(tx: Queryable, t: Omit<Transition, "at">): Promise<void> {
    await tx.query(
      `INSERT INTO change_request_transition (change_request_id, from_status, to_status, actor, actor_roles, comment)
       VALUES ($1::uuid, $2, $3, $4, $5::text[], $6)`,
      [t.changeRequestId, t.from, t.to, t.by, [...t.roles], t.comment],
    );
  },

  async transitionsOf(db: Queryable, ids: readonly string[]): Promise<Transition[]> {
    const rows = await db.query<Transition>(
      `SELECT change_request_id::text AS "changeRequestId", from_status AS "from", to_status AS "to", actor AS "by",
              actor_roles AS "roles", comment, ${iso("at")} AS "at"
         FROM change_request_transition WHERE change_request_id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    );
    return rows.rows;
  },

  async list(db: Queryable, filter: ChangeRequestFilter, afterSeq: number | undefined, limit: number): Promise<ChangeRequestRow[]> {
    const rows = await db.query<ChangeRequestRow>(
      `SELECT ${columns} FROM change_request WHERE ${where} AND ($6::bigint IS NULL OR seq > $6) ORDER BY seq LIMIT $7`,
      [...filterParams(filter), afterSeq ?? null, limit],
    );
    return rows.rows;
  },

  async count(db: Queryable, filter: ChangeRequestFilter): Promise<number> {
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM change_request WHERE ${where}`, filterParams(filter));
    return rows.rows[0]?.n ?? 0;
  },
};
