/** "Who accessed my data": the decisions about one citizen, newest first, for the consent portal. */
import type { CitizenAccess } from "@ndx/contracts";
import type { Queryable } from "@ndx/platform";
import { auditColumns, eventFromRow, type AuditRow } from "./auditRows.ts";

/**
 * Where a page starts: older than `at`, or — with `id`, the last event of the previous page — after that event in
 * the order (at, id) descending. Time alone would skip events that share the boundary's millisecond.
 */
export interface AccessCursor {
  readonly at: string;
  readonly id?: string | undefined;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `before` as the API takes it: an ISO 8601 time, or `<time>~<event id>` (what `cursorOf` gives). */
export function parseCursor(before: string): AccessCursor | undefined {
  const [at = "", id, ...rest] = before.split("~");
  if (rest.length > 0 || Number.isNaN(Date.parse(at))) return undefined;
  if (id !== undefined && !uuid.test(id)) return undefined;
  return { at, id };
}

export const cursorOf = (access: Pick<CitizenAccess, "at" | "id">): string => `${access.at}~${access.id}`;

export async function accessesAbout(db: Queryable, citizenId: string, limit: number, before?: AccessCursor): Promise<CitizenAccess[]> {
  const result = await db.query<AuditRow>(
    `SELECT ${auditColumns} FROM audit_event
      WHERE kind = 'decision' AND subjects @> ARRAY[$1]::text[]
        AND ($3::timestamptz IS NULL OR at < $3::timestamptz OR ($4::uuid IS NOT NULL AND at = $3::timestamptz AND id < $4::uuid))
      ORDER BY at DESC, id DESC LIMIT $2`,
    [citizenId, limit, before?.at ?? null, before?.id ?? null],
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
