/** The audit trail's two statements: one multi-row INSERT per batch, and the head of a chain (read at start-up and after a failed write). */
import type { Db } from "@ndx/platform";
import { fieldsJson, genesisHash, type ChainedEvent } from "./auditEvent.ts";

/** The last stored event of a chain, or the genesis when it has none. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export async function readHead(db: Db, chain: string): Promise<ChainHead> {
  const head = await db.query<{ seq: string | number; hash: string }>(
    "SELECT seq, hash FROM audit_event WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
    [chain],
  );
  return { seq: Number(head.rows[0]?.seq ?? 0), hash: head.rows[0]?.hash ?? genesisHash };
}

// Arrays go as text[] parameters and JSON as jsonb text: on PGlite this costs half of an unnest() over column arrays
// with per-row jsonb conversions.
const columns =
  "chain, seq, id, at, kind, trace_id, caller, consumer, purpose, operation_name, subjects, fields, consent_ids, " +
  "policy_revision, decision, reasons, decision_id, outcome, outcomes, prev_hash, hash";
const width = 21;

/** Stores a batch of chained events in one INSERT; `onWrite` is told its duration and size. */
export function createAuditInsert(db: Db, onWrite?: (seconds: number, events: number) => void): (events: readonly ChainedEvent[]) => Promise<void> {
  const tuples: string[] = [];
  const tuplesFor = (n: number): string => {
    for (let i = tuples.length; i < n; i += 1) {
      tuples.push(`(${Array.from({ length: width }, (_, c) => `$${i * width + c + 1}`).join(",")})`);
    }
    return tuples.slice(0, n).join(",");
  };
  return async (events) => {
    const started = performance.now();
    const params: unknown[] = [];
    for (const e of events) {
      params.push(
        e.chain,
        e.seq,
        e.id,
        e.at,
        e.kind,
        e.traceId,
        e.caller,
        e.consumer,
        e.purpose,
        e.operationName,
        e.subjects,
        fieldsJson(e.fields),
        e.consentIds,
        e.policyRevision,
        e.decision,
        JSON.stringify(e.reasons),
        e.decisionId,
        e.outcome,
        e.outcomes === undefined ? null : JSON.stringify(e.outcomes),
        e.prevHash,
        e.hash,
      );
    }
    // Prepared once per batch size, then only bound and executed (parsing and planning were a fifth of its CPU).
    await db.runPrepared(`audit_insert_${events.length}`, `INSERT INTO audit_event (${columns}) VALUES ${tuplesFor(events.length)}`, params);
    onWrite?.((performance.now() - started) / 1000, events.length);
  };
}
