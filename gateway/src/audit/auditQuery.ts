/** "Who accessed my data": the decisions about one citizen, newest first, for the consent portal. */
import type { Queryable } from "@ndx/platform";
import { auditColumns, eventFromRow, type AuditRow } from "./auditRows.ts";

export interface CitizenAccess {
  readonly id: string;
  readonly at: string;
  readonly consumer: string | null;
  readonly purpose: string | null;
  readonly decision: string | null;
  readonly fields: readonly { provider: string; field: string }[];
  readonly consentIds: readonly string[];
}

export async function accessesAbout(db: Queryable, citizenId: string, limit: number, before?: string): Promise<CitizenAccess[]> {
  const result = await db.query<AuditRow>(
    `SELECT ${auditColumns} FROM audit_event
      WHERE kind = 'decision' AND subjects @> ARRAY[$1]::text[] AND ($3::timestamptz IS NULL OR at < $3::timestamptz)
      ORDER BY at DESC, seq DESC LIMIT $2`,
    [citizenId, limit, before ?? null],
  );
  return result.rows.map((row) => {
    const e = eventFromRow(row);
    return {
      id: e.id,
      at: e.at,
      consumer: e.consumer,
      purpose: e.purpose,
      decision: e.decision,
      fields: e.fields.map((f) => ({ provider: f.provider, field: f.field })),
      consentIds: e.consentIds,
    };
  });
}
