/**
 * The audit writer. Events are chained in memory (the head of this replica's chain is read once, at start-up) and
 * written in batches, so a request waits only for its event to be durable, never for an extra read:
 * - a write starts at the end of the current event-loop turn (`setImmediate`), not at the first append, so every
 *   decision appended in the same turn shares one INSERT (PGlite runs a statement synchronously on this thread, so
 *   requests pile up meanwhile; one INSERT per event was a third of the gateway's CPU — bench/PROFILE.md);
 * - every event queued while a write is in flight goes into the next INSERT;
 * - outcomes, which no request waits for, start no write of their own: they go with the next decisions' INSERT,
 *   or after `outcomeDelayMs` when none comes; those recorded with `complete()` go as one outcome event per write
 *   that lists them all (a row costs ~0.1 ms on PGlite; half the rows were outcomes);
 * - group commit (`groupCommitMs`, like PostgreSQL's commit_delay): when the previous INSERT started less than
 *   `groupCommitMs` ago, the next waits until `groupCommitMs` after it. Under load the trail is then written at most
 *   every `groupCommitMs`, in bigger INSERTs (on PGlite each statement has a fixed cost); at a light load
 *   nothing waits.
 * `flush()` writes everything at once.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "@ndx/platform";
import { chainHash, fieldsJson, genesisHash, type AuditContent, type ChainedEvent, type OutcomeEntry } from "./auditEvent.ts";

export interface AuditLogOptions {
  readonly db: Db;
  /** This replica's chain. @default "main" */
  readonly chain?: string;
  /** Most events in one INSERT. @default 500 */
  readonly maxBatch?: number;
  /** Longest an outcome waits for a decision to share an INSERT with. @default 50 */
  readonly outcomeDelayMs?: number;
  /** Least time between the starts of two INSERTs; 0 writes as soon as the event loop turns. @default 0 */
  readonly groupCommitMs?: number;
  /** Told the duration of every stored batch (metrics). */
  readonly onWrite?: (seconds: number, events: number) => void;
}

export interface AuditLog {
  /** Appends one event; resolves once it is stored. */
  append(content: Omit<AuditContent, "id" | "at"> & { id?: string; at?: string }): Promise<ChainedEvent>;
  /**
   * Records a decision's outcome. The outcomes waiting when a write starts go as one outcome event listing them all
   * (`outcomes`), with the next decisions or after `outcomeDelayMs`; resolves with that event once it is stored.
   */
  complete(entry: OutcomeEntry): Promise<ChainedEvent>;
  /** Waits for everything queued. */
  flush(): Promise<void>;
}

interface Pending {
  readonly content: AuditContent;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

export async function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { db, chain = "main", maxBatch = 500, outcomeDelayMs = 50, groupCommitMs = 0 } = options;
  const head = await db.query<{ seq: string | number; hash: string }>(
    "SELECT seq, hash FROM audit_event WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
    [chain],
  );
  let seq = Number(head.rows[0]?.seq ?? 0);
  let prevHash = head.rows[0]?.hash ?? genesisHash;
  let queue: Pending[] = [];
  let writing: Promise<void> | undefined;
  // Outcomes waiting for the next write, which stores them as one event.
  let completions: { readonly entry: OutcomeEntry; resolve(event: ChainedEvent): void; reject(error: unknown): void }[] = [];
  const waiting = (): boolean => queue.length > 0 || completions.length > 0;
  const outcomesEvent = (entries: readonly OutcomeEntry[]): Pending["content"] => ({
    id: randomUUID(),
    at: new Date().toISOString(),
    kind: "outcome",
    // A batch belongs to no single request: each entry carries its request's trace id.
    traceId: "",
    caller: null,
    consumer: null,
    purpose: null,
    operationName: null,
    subjects: [],
    fields: [],
    consentIds: [],
    policyRevision: null,
    decision: null,
    reasons: [],
    decisionId: null,
    outcome: null,
    outcomes: entries,
  });

  // One multi-row INSERT per batch. Arrays go as text[] parameters and JSON as jsonb text: on PGlite this costs
  // half of an unnest() over column arrays with per-row jsonb conversions.
  const columns =
    "chain, seq, id, at, kind, trace_id, caller, consumer, purpose, operation_name, subjects, fields, consent_ids, " +
    "policy_revision, decision, reasons, decision_id, outcome, outcomes, prev_hash, hash";
  const width = 21;
  const tuples: string[] = [];
  const tuplesFor = (n: number): string => {
    for (let i = tuples.length; i < n; i += 1) {
      tuples.push(`(${Array.from({ length: width }, (_, c) => `$${i * width + c + 1}`).join(",")})`);
    }
    return tuples.slice(0, n).join(",");
  };
  const write = async (events: readonly ChainedEvent[]): Promise<void> => {
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
    options.onWrite?.((performance.now() - started) / 1000, events.length);
  };

  const drain = (): void => {
    if (writing !== undefined || !waiting()) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    if (completions.length > 0 && batch.length < maxBatch) {
      const done = completions;
      completions = [];
      batch.push({
        content: outcomesEvent(done.map((c) => c.entry)),
        resolve: (event) => done.forEach((c) => c.resolve(event)),
        reject: (error) => done.forEach((c) => c.reject(error)),
      });
    }
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

  let scheduled = false;
  let outcomeTimer: NodeJS.Timeout | undefined;
  let groupTimer: NodeJS.Timeout | undefined;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  const run = (): void => {
    scheduled = false;
    clearTimeout(outcomeTimer);
    clearTimeout(groupTimer);
    outcomeTimer = undefined;
    groupTimer = undefined;
    if (writing !== undefined || !waiting()) return;
    lastWriteAt = performance.now();
    drain();
  };
  /** Starts a write at the end of this turn, or when the group-commit interval allows; `now` skips the interval. */
  const schedule = (now = false): void => {
    if (!waiting()) return;
    if (now && groupTimer !== undefined) {
      clearTimeout(groupTimer);
      groupTimer = undefined;
      scheduled = false;
    }
    if (scheduled) return;
    scheduled = true;
    const wait = now ? 0 : groupCommitMs - (performance.now() - lastWriteAt);
    if (wait > 0) groupTimer = setTimeout(run, wait);
    else setImmediate(run);
  };
  const scheduleOutcome = (): void => {
    outcomeTimer ??= setTimeout(() => {
      outcomeTimer = undefined;
      schedule();
    }, outcomeDelayMs);
    outcomeTimer.unref();
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
        if (content.kind === "outcome") scheduleOutcome();
        else schedule();
      });
    },
    complete(entry) {
      return new Promise<ChainedEvent>((resolve, reject) => {
        completions.push({ entry, resolve, reject });
        scheduleOutcome();
      });
    },
    async flush() {
      while (writing !== undefined || waiting()) {
        schedule(true);
        await (writing ?? new Promise<void>((resolve) => setImmediate(resolve)));
      }
    },
  };
}
