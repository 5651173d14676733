/**
 * Field usage the gateways report (`POST /v1/usage`): per day, operation (its name, or its document's hash), consumer
 * and `provider`/`Type.field`, a count and when it was last seen. No personal data and no variables ever arrive here.
 */
import type { Queryable } from "@ndx/platform";
import { iso } from "../storage/time.ts";
import type { OperationUse } from "./checkTypes.ts";

export interface UsageRecord {
  readonly operation: string;
  readonly consumer: string;
  readonly provider: string;
  readonly coordinate: string;
  readonly count: number;
  /** ISO 8601 */
  readonly lastSeen: string;
}

/** `Type.field`, or a type (all its fields). */
const matches = "(coordinate = $2 OR ($3 AND coordinate LIKE $2 || '.%'))";

export const usageStore = {
  async record(db: Queryable, records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await db.query(
      `INSERT INTO schema_usage (day, operation, consumer, provider, coordinate, count, last_seen)
       SELECT (u.last_seen::timestamptz AT TIME ZONE 'UTC')::date AS day, u.operation, u.consumer, u.provider, u.coordinate, sum(u.count), max(u.last_seen::timestamptz)
         FROM jsonb_to_recordset($1::jsonb) AS u(operation text, consumer text, provider text, coordinate text, count bigint, last_seen text)
        GROUP BY 1, 2, 3, 4, 5
       ON CONFLICT (provider, coordinate, operation, consumer, day)
       DO UPDATE SET count = schema_usage.count + excluded.count, last_seen = greatest(schema_usage.last_seen, excluded.last_seen)`,
      [JSON.stringify(records.map((r) => ({ ...r, last_seen: r.lastSeen })))],
    );
  },
  /** Operations that read `coordinate` of `provider` in the last `days` days, most used first. */
  async operations(db: Queryable, provider: string, coordinate: string, days: number, limit = 50): Promise<OperationUse[]> {
    const { rows } = await db.query<{ operation: string; consumer: string; count: number | string; last_seen: unknown }>(
      `SELECT operation, consumer, sum(count)::bigint AS count, max(last_seen) AS last_seen FROM schema_usage
        WHERE provider = $1 AND ${matches} AND day >= (now() AT TIME ZONE 'UTC')::date - $4::int
        GROUP BY operation, consumer ORDER BY count DESC, operation LIMIT $5`,
      [provider, coordinate, !coordinate.includes("."), days, limit],
    );
    return rows.map((r) => ({ operation: r.operation, consumer: r.consumer, count: Number(r.count), lastSeen: iso(r.last_seen) }));
  },
  /** Applications whose live grants (not revoked, not ended) name the coordinate. */
  async grantedTo(db: Queryable, provider: string, coordinate: string): Promise<string[]> {
    const { rows } = await db.query<{ application_id: string }>(
      `SELECT DISTINCT application_id FROM field_grant
        WHERE provider = $1 AND ${matches} AND revoked_at IS NULL AND ends_at > now() ORDER BY application_id`,
      [provider, coordinate, !coordinate.includes(".")],
    );
    return rows.map((r) => r.application_id);
  },
};
