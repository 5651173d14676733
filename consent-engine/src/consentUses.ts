/**
 * What the check reads and spends: the live (ACTIVE or PAUSED, unexpired) consents of a consumer, citizen and
 * purpose with the revision, the uses already spent in their current windows, and spending one use by a single
 * conditional upsert (`used < limit`), so that two gateways (or two engine instances) never spend the same use.
 */
import type { Queryable } from "@ndx/platform";
import { columns, toConsent, type ConsentRecord, type ConsentRow } from "./consentStore.ts";

export interface LiveConsents {
  readonly revision: number;
  readonly consents: readonly ConsentRow[];
}

/**
 * The check's query: the revision and this consumer's ACTIVE or PAUSED, unexpired consents for the citizen and
 * purpose, read in one statement (one snapshot), so the revision returned covers exactly what was read.
 */
export async function liveConsents(
  q: Queryable,
  key: { consumerId: string; citizenId: string; purpose: string },
  now: Date,
): Promise<LiveConsents> {
  const prefixed = columns.split(",").map((c) => `c.${c.trim()}`).join(", ");
  const { rows } = await q.query<Partial<ConsentRecord> & { revision: string | number }>(
    `SELECT r.value AS revision, ${prefixed}
     FROM consent_revision r
     LEFT JOIN consents c ON c.consumer_id = $1 AND c.citizen_id = $2 AND c.purpose = $3
       AND c.status IN ('ACTIVE', 'PAUSED') AND c.expires_at > $4
     ORDER BY c.expires_at DESC NULLS LAST, c.id`,
    [key.consumerId, key.citizenId, key.purpose, now],
  );
  const consents = rows.flatMap((r) => (r.id === undefined || r.id === null ? [] : [toConsent(r as ConsentRecord)]));
  return { revision: Number(rows[0]?.revision ?? 0), consents };
}

/** Uses spent per consent in the given windows: `consentId → used`. */
export async function usesIn(q: Queryable, windows: readonly { consentId: string; start: Date }[]): Promise<Map<string, number>> {
  if (windows.length === 0) return new Map();
  const { rows } = await q.query<{ consent_id: string; window_start: Date | string; used: number }>(
    "SELECT consent_id, window_start, used FROM consent_uses WHERE consent_id = ANY($1::text[])",
    [windows.map((w) => w.consentId)],
  );
  const used = new Map<string, number>();
  for (const w of windows) {
    const row = rows.find((r) => r.consent_id === w.consentId && new Date(r.window_start).getTime() === w.start.getTime());
    used.set(w.consentId, row?.used ?? 0);
  }
  return used;
}

/** Spends one use of a consent in a window, unless `limit` are spent already: true when spent. */
export async function spendUse(q: Queryable, consentId: string, windowStart: Date, limit: number, at: Date): Promise<boolean> {
  const { rows } = await q.query<{ used: number }>(
    `INSERT INTO consent_uses AS u (consent_id, window_start, used, last_used_at) VALUES ($1, $2, 1, $4)
     ON CONFLICT (consent_id, window_start) DO UPDATE SET used = u.used + 1, last_used_at = $4 WHERE u.used < $3
     RETURNING used`,
    [consentId, windowStart, limit, at],
  );
  return rows.length === 1;
}
