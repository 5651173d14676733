/**
 * The history of each record: one row per version with the change request that made it, who submitted and who
 * approved it, and the record as of that version (sensitive fields encrypted as in the record itself).
 */
import type { Queryable } from "@ndx/platform";
import type { Sealed } from "../keys/fieldCipher.ts";

export type HistoryOperation = "IMPORT" | "CREATE" | "UPDATE" | "DELETE";

export interface HistoryEntry {
  readonly register: string;
  readonly recordId: string;
  readonly version: number;
  readonly operation: HistoryOperation;
  readonly changeRequestId: string | null;
  readonly submittedBy: string;
  readonly approvedBy: string | null;
  /** The record's plain fields as of this version; null once deleted. */
  readonly plain: Record<string, unknown> | null;
  readonly sealed: Sealed | null;
  readonly at: string;
}

/** Who made records that were loaded before change requests existed (the seed, a legacy import). */
export const importActor = "registry-import";

export async function appendHistory(db: Queryable, entries: readonly Omit<HistoryEntry, "at">[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO record_history (register, record_id, version, operation, change_request_id, submitted_by, approved_by, fields, sealed)
     SELECT e.register, e.record_id, e.version, e.operation, e.change_request_id, e.submitted_by, e.approved_by, e.fields, e.sealed
       FROM jsonb_to_recordset($1::jsonb) AS e(register text, record_id text, version int, operation text,
            change_request_id uuid, submitted_by text, approved_by text, fields jsonb, sealed jsonb)`,
    [
      JSON.stringify(
        entries.map((e) => ({
          register: e.register,
          record_id: e.recordId,
          version: e.version,
          operation: e.operation,
          change_request_id: e.changeRequestId,
          submitted_by: e.submittedBy,
          approved_by: e.approvedBy,
          fields: e.plain,
          sealed: e.sealed,
        })),
      ),
    ],
  );
}

/** The version a record created now gets: 1, or the next after its last (a record deleted and created again). */
export async function nextCreatedVersion(db: Queryable, register: string, recordId: string): Promise<number> {
  const rows = await db.query<{ v: number }>(
    "SELECT coalesce(max(version), 0)::int + 1 AS v FROM record_history WHERE register = $1 AND record_id = $2",
    [register, recordId],
  );
  return rows.rows[0]?.v ?? 1;
}

export async function historyOf(db: Queryable, register: string, recordIds: readonly string[]): Promise<HistoryEntry[]> {
  const rows = await db.query<{
    register: string;
    record_id: string;
    version: number;
    operation: HistoryOperation;
    change_request_id: string | null;
    submitted_by: string;
    approved_by: string | null;
    fields: Record<string, unknown> | null;
    sealed: Sealed | null;
    at: string;
  }>(
    `SELECT register, record_id, version, operation, change_request_id, submitted_by, approved_by, fields, sealed,
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM record_history WHERE register = $1 AND record_id = ANY($2::text[]) ORDER BY record_id, version`,
    [register, recordIds],
  );
  return rows.rows.map((r) => ({
    register: r.register,
    recordId: r.record_id,
    version: r.version,
    operation: r.operation,
    changeRequestId: r.change_request_id,
    submittedBy: r.submitted_by,
    approvedBy: r.approved_by,
    plain: r.fields,
    sealed: r.sealed,
    at: r.at,
  }));
}
