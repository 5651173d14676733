/**
 * PROTOTYPE of a change to gateway/src/audit/auditLog.ts (a copy of it with two changes, marked CHANGED), measured
 * with gatewayVariant.ts EXP_AUDIT=grouped. Not used by `npm run bench`.
 *
 * The audit writer. Events are chained in memory (the head of this replica's chain is read once, at start-up) and
 * written in batches: every event queued while a write is in flight goes into the next single INSERT, so a request
 * waits only for its event to be durable, never for an extra read.
 */
import { randomUUID } from "node:crypto";
import type { AuditLog, AuditLogOptions } from "@ndx/gateway";
// A prototype only: the chain hash exactly as the gateway computes it.
import { chainHash, genesisHash, type AuditContent, type ChainedEvent } from "../../../gateway/src/audit/auditEvent.ts";

interface Pending {
  readonly content: AuditContent;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

export async function openGroupedAuditLog(options: AuditLogOptions & { outcomeDelayMs?: number }): Promise<AuditLog> {
  const { db, chain = "main", maxBatch = 500 } = options;
  const head = await db.query<{ seq: string | number; hash: string }>(
    "SELECT seq, hash FROM audit_event WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
    [chain],
  );
  let seq = Number(head.rows[0]?.seq ?? 0);
  let prevHash = head.rows[0]?.hash ?? genesisHash;
  let queue: Pending[] = [];
  let writing: Promise<void> | undefined;

  const write = async (events: readonly ChainedEvent[]): Promise<void> => {
    const started = performance.now();
    const col = <T>(f: (e: ChainedEvent) => T) => events.map(f);
    await db.query(
      `INSERT INTO audit_event (chain, seq, id, at, kind, trace_id, caller, consumer, purpose, operation_name, subjects,
         fields, consent_ids, policy_revision, decision, reasons, decision_id, outcome, prev_hash, hash)
       SELECT t.chain, t.seq, t.id, t.at, t.kind, t.trace_id, t.caller, t.consumer, t.purpose, t.operation_name,
         (SELECT coalesce(array_agg(x), '{}') FROM jsonb_array_elements_text(t.subjects) x),
         t.fields, (SELECT coalesce(array_agg(x), '{}') FROM jsonb_array_elements_text(t.consent_ids) x),
         t.policy_revision, t.decision, t.reasons, t.decision_id, t.outcome, t.prev_hash, t.hash
       FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::jsonb[], $13::jsonb[], $14::text[], $15::text[],
         $16::jsonb[], $17::uuid[], $18::text[], $19::text[], $20::text[])
         AS t(chain, seq, id, at, kind, trace_id, caller, consumer, purpose, operation_name, subjects, fields,
              consent_ids, policy_revision, decision, reasons, decision_id, outcome, prev_hash, hash)`,
      [
        col((e) => e.chain),
        col((e) => e.seq),
        col((e) => e.id),
        col((e) => e.at),
        col((e) => e.kind),
        col((e) => e.traceId),
        col((e) => e.caller),
        col((e) => e.consumer),
        col((e) => e.purpose),
        col((e) => e.operationName),
        col((e) => JSON.stringify(e.subjects)),
        col((e) => JSON.stringify(e.fields)),
        col((e) => JSON.stringify(e.consentIds)),
        col((e) => e.policyRevision),
        col((e) => e.decision),
        col((e) => JSON.stringify(e.reasons)),
        col((e) => e.decisionId),
        col((e) => e.outcome),
        col((e) => e.prevHash),
        col((e) => e.hash),
      ],
    );
    options.onWrite?.((performance.now() - started) / 1000, events.length);
  };

  const drain = (): void => {
    if (writing !== undefined || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    // Chained only here, one batch at a time: the head moves on only once the batch is stored, so a failed write
    // leaves no gap in the chain.
    let nextSeq = seq;
    let nextHash = prevHash;
    const events = batch.map(({ content }): ChainedEvent => {
      nextSeq += 1;
      const hash = chainHash(chain, nextSeq, nextHash, content);
      const event = { ...content, chain, seq: nextSeq, prevHash: nextHash, hash };
      nextHash = hash;
      return event;
    });
    writing = write(events).then(
      () => {
        seq = nextSeq;
        prevHash = nextHash;
        batch.forEach((p, i) => p.resolve(events[i] as ChainedEvent));
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
    void writing.finally(() => {
      writing = undefined;
      schedule();
    });
  };

  // CHANGED (1): a write starts at the end of the current event-loop turn, not at the first append, so that every
  // decision appended in the same turn (PGlite runs a statement synchronously, so requests pile up meanwhile) goes into
  // one INSERT. (2) Outcomes, which nobody awaits, do not start a write of their own: they ride along with the next
  // decisions' INSERT, or go after outcomeDelayMs.
  let scheduled = false;
  let outcomeTimer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (outcomeTimer !== undefined) clearTimeout(outcomeTimer);
      outcomeTimer = undefined;
      drain();
    });
  };

  return {
    append(input) {
      const content: AuditContent = {
        ...input,
        id: input.id ?? randomUUID(),
        // Milliseconds: what a timestamptz round-trips exactly through both drivers.
        at: input.at ?? new Date().toISOString(),
      };
      return new Promise<ChainedEvent>((resolve, reject) => {
        queue.push({ content, resolve, reject });
        if (content.kind !== "outcome") schedule();
        else outcomeTimer ??= setTimeout(() => {
          outcomeTimer = undefined;
          schedule();
        }, options.outcomeDelayMs ?? 50);
      });
    },
    async flush() {
      schedule();
      while (writing !== undefined || queue.length > 0) {
        await (writing ?? new Promise((r) => setImmediate(r)));
        schedule();
      }
    },
  };
}
