/**
 * Builds an evidence package from the gateway's database: the events a query selects (a time window, optionally one
 * citizen's or one consumer's, with the outcomes of those decisions), and per chain the contiguous run of events from
 * the checkpoint before the first of them to the checkpoint that covers the last, so every selected event can be
 * recomputed and tied to a signed, time-stamped head. Events between them are included whole: the chain's hashes
 * cannot be recomputed without them (docs/evidence.md says what that means for who may receive a package).
 */
import type { Queryable } from "@ndx/platform";
import { listCheckpoints } from "./checkpointStore.ts";
import { buildEvidencePackage, type PackageTrustFiles } from "./packageBuild.ts";
import type { ChainRange, Manifest, PackageQuery } from "./packageFormat.ts";

export interface ExportResult {
  readonly zip: Uint8Array;
  readonly manifest: Manifest;
  /** Selected events not yet covered by a checkpoint (they are in the package, but nothing signed holds them yet). */
  readonly uncovered: number;
}

/** The query's decision events and the outcome events that complete them, by chain and sequence. */
export async function selectedEvents(db: Queryable, q: PackageQuery): Promise<{ chain: string; seq: number }[]> {
  const decisions = await db.query<{ chain: string; seq: string | number; id: string }>(
    `SELECT chain, seq, id FROM audit_event
      WHERE kind = 'decision' AND at >= $1 AND at <= $2
        AND ($3::text IS NULL OR subjects @> ARRAY[$3]::text[]) AND ($4::text IS NULL OR consumer = $4)
      ORDER BY chain, seq`,
    [q.from, q.to, q.citizen ?? null, q.consumer ?? null],
  );
  const ids = decisions.rows.map((r) => r.id);
  const outcomes = await db.query<{ chain: string; seq: string | number }>(
    `SELECT chain, seq FROM audit_event
      WHERE kind = 'outcome' AND at >= $1
        AND (decision_id::text = ANY($2::text[]) OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(outcomes, '[]'::jsonb)) o WHERE o->>'decisionId' = ANY($2::text[])))`,
    [q.from, ids],
  );
  return [...decisions.rows, ...outcomes.rows].map((r) => ({ chain: r.chain, seq: Number(r.seq) }));
}

export async function exportEvidencePackage(db: Queryable, query: PackageQuery, trust: PackageTrustFiles): Promise<ExportResult> {
  const selected = new Map<string, number[]>();
  for (const e of await selectedEvents(db, query)) selected.set(e.chain, [...(selected.get(e.chain) ?? []), e.seq]);
  const chains: Record<string, ChainRange> = {};
  let uncovered = 0;
  for (const [chain, seqs] of [...selected].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    const first = sorted[0] ?? 1;
    const last = sorted.at(-1) ?? first;
    const checkpoints = await listCheckpoints(db, { chain, fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER });
    const before = checkpoints.filter((c) => c.seq < first).at(-1);
    const covering = checkpoints.find((c) => c.seq >= last);
    const head = await db.query<{ seq: string | number }>("SELECT max(seq) AS seq FROM audit_event WHERE chain = $1", [chain]);
    uncovered += covering === undefined ? sorted.filter((s) => s > (checkpoints.at(-1)?.seq ?? 0)).length : 0;
    chains[chain] = { fromSeq: (before?.seq ?? 0) + 1, toSeq: covering?.seq ?? Number(head.rows[0]?.seq ?? last), selected: sorted };
  }
  const { zip, manifest } = await buildEvidencePackage(db, query, chains, trust);
  return { zip, manifest, uncovered };
}
