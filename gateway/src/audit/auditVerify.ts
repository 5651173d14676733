/**
 * Walks every chain of the audit trail from its start — or, for a chain whose older events are archived, from the
 * archive's last event (its anchor: audit:verify verifies the archives first) — and names the first event whose link
 * is broken. Archived events still in the table (an archive whose removal was interrupted) are not walked twice.
 */
import type { Queryable } from "@ndx/platform";
import { chainHash, genesisHash } from "./auditEvent.ts";
import { auditColumns, eventFromRow, type AuditRow } from "./auditRows.ts";

export interface BrokenLink {
  readonly chain: string;
  readonly seq: number;
  readonly id: string;
  readonly reason: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly chains: Record<string, number>;
  readonly broken?: BrokenLink;
}

export async function verifyAuditTrail(
  db: Queryable,
  pageSize = 1000,
  anchors: Readonly<Record<string, { readonly seq: number; readonly hash: string }>> = {},
): Promise<VerifyReport> {
  const chains: Record<string, number> = {};
  const names = await db.query<{ chain: string }>("SELECT DISTINCT chain FROM audit_event ORDER BY chain");
  for (const chain of [...new Set([...names.rows.map((r) => r.chain), ...Object.keys(anchors)])].sort()) {
    let expectedSeq = (anchors[chain]?.seq ?? 0) + 1;
    let prev = anchors[chain]?.hash ?? genesisHash;
    for (;;) {
      const page = await db.query<AuditRow>(
        `SELECT ${auditColumns} FROM audit_event WHERE chain = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [chain, expectedSeq, pageSize],
      );
      for (const row of page.rows) {
        const event = eventFromRow(row);
        const broken = (reason: string): VerifyReport => ({
          ok: false,
          chains,
          broken: { chain, seq: event.seq, id: event.id, reason },
        });
        if (event.seq !== expectedSeq) return broken(`event ${expectedSeq} is missing`);
        if (event.prevHash !== prev) return broken("its previous-hash does not match the event before it");
        const { chain: _c, seq: _s, prevHash: _p, hash, ...content } = event;
        if (chainHash(chain, event.seq, prev, content) !== hash) return broken("its content does not match its hash");
        prev = hash;
        expectedSeq += 1;
      }
      if (page.rows.length < pageSize) break;
    }
    chains[chain] = expectedSeq - 1;
  }
  return { ok: true, chains };
}
