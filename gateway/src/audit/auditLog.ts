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
 * When a write fails, its decisions are refused at once (their requests read nothing) but its outcomes are never
 * lost: they go back to the front of the waiting outcomes, in order, and are tried again with exponential backoff
 * (capped) until stored. Before the next try the chain's head is read again, since a failed write may have been
 * committed all the same (the connection lost after the commit); when only decisions failed, the retry writes an
 * outcome event listing no outcomes, to learn whether writes work again. `healthy` turns false when writes have failed for
 * longer than `failureGraceMs`, one hangs that long, or more than `maxBacklog` records wait: personal data must then
 * not be served. `flush()` writes everything at once, trying for at most `flushTimeoutMs`, and logs what it could not.
 */
import { randomUUID } from "node:crypto";
import type { Db, Logger } from "@ndx/platform";
import { chainBatch, logLost, outcomesEvent, storable, writeError } from "./auditBatch.ts";
import type { AuditContent, ChainedEvent, OutcomeEntry } from "./auditEvent.ts";
import { createHealthTracker, retryDelay, type AuditHealth } from "./auditHealth.ts";
import { createAuditInsert, readHead, type ChainHead } from "./auditInsert.ts";
import { createWriteSchedule, nextTurn, within } from "./writeSchedule.ts";

export type { AuditHealth } from "./auditHealth.ts";

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
  /** Wait before the first retry of a failed write of outcomes; doubled after each failure. @default 50 */
  readonly retryMinMs?: number;
  /** Longest wait between two retries. @default 2000 */
  readonly retryMaxMs?: number;
  /** How long writes may fail (or one write hang) before the log reports itself unhealthy. @default 5000 */
  readonly failureGraceMs?: number;
  /** Most records waiting to be written before the log reports itself unhealthy. @default 10000 */
  readonly maxBacklog?: number;
  /**
   * Longest `flush()` keeps trying; what is still unwritten then is logged as lost. Well inside runService's 10 s
   * before it forces the process out at shutdown (after the HTTP server's up to 2 s), or nothing would be logged.
   * @default 5000
   */
  readonly flushTimeoutMs?: number;
  /** Failed writes, recoveries and what `flush()` could not write. @default undefined: only the last, to stderr */
  readonly logger?: Logger;
  /** The clock of the health signal, in milliseconds (tests inject one). @default performance.now */
  readonly now?: () => number;
  /** Told the duration of every stored batch (metrics). */
  readonly onWrite?: (seconds: number, events: number) => void;
}

export interface AuditLog {
  /** Appends one event; resolves once it is stored, rejects when its write fails (it is not retried). */
  append(content: Omit<AuditContent, "id" | "at"> & { id?: string; at?: string }): Promise<ChainedEvent>;
  /**
   * Records a decision's outcome. The outcomes waiting when a write starts go as one outcome event listing them all
   * (`outcomes`), with the next decisions or after `outcomeDelayMs`; resolves with that event once it is stored. A
   * failed write is retried until it succeeds; it rejects only when `flush()` gives up on it.
   */
  complete(entry: OutcomeEntry): Promise<ChainedEvent>;
  /**
   * False when writes have been failing (or one has hung) for longer than `failureGraceMs`, or more than `maxBacklog`
   * records wait: serve no personal data. No I/O: cheap enough to ask on every request.
   */
  readonly healthy: boolean;
  /** `healthy` with the backlog and the reason, for /ready and the logs. */
  health(): AuditHealth;
  /** Writes everything queued, retrying for at most `flushTimeoutMs`; then logs and rejects what is left. */
  flush(): Promise<void>;
}

interface Pending {
  readonly content: AuditContent;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

interface Completion {
  readonly entry: OutcomeEntry;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

/** A write that failed may still have been committed; the head read before the next write tells. */
interface InDoubt {
  readonly last: ChainHead;
  readonly outcomes: readonly Completion[];
  readonly event: ChainedEvent | undefined;
}

export async function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { db, chain = "main", maxBatch = 500, outcomeDelayMs = 50, groupCommitMs = 0, logger } = options;
  const { retryMinMs = 50, retryMaxMs = 2000, flushTimeoutMs = 5000 } = options;
  let { seq, hash: prevHash } = await readHead(db, chain);
  const insert = createAuditInsert(db, options.onWrite);
  const health = createHealthTracker({
    graceMs: options.failureGraceMs ?? 5000,
    maxBacklog: options.maxBacklog ?? 10_000,
    now: options.now ?? (() => performance.now()),
  });
  let queue: Pending[] = [];
  // Outcomes waiting for the next write, which stores them as one event; in the order they were recorded.
  let completions: Completion[] = [];
  let inFlight: readonly Completion[] = [];
  let writing: Promise<void> | undefined;
  let inDoubt: InDoubt | undefined;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const backlog = (): number => queue.length + completions.length + inFlight.length;
  const waiting = (): boolean => queue.length > 0 || completions.length > 0;
  const due = (): boolean => waiting() || inDoubt !== undefined;

  const failed = (error: unknown): void => {
    failures += 1;
    health.failed();
    if (failures === 1) logger?.warn({ err: error, waiting: backlog() }, "audit write failed; its outcomes are kept and retried");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      schedule(true);
    }, retryDelay(failures, retryMinMs, retryMaxMs));
    // The server keeps the process alive; at shutdown flush() retries on its own, for a bounded time.
    retryTimer.unref();
  };
  const succeeded = (): void => {
    failures = 0;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (health.recovered()) logger?.info({ waiting: backlog() }, "audit writes recovered");
  };
  const refuseQueued = (error: unknown): void => {
    const refused = queue;
    queue = [];
    refused.forEach((p) => p.reject(error));
  };

  /** Reads the head after a failed write; true when that write was committed after all. */
  const reconcile = async (doubt: InDoubt): Promise<boolean> => {
    const head = await readHead(db, chain);
    inDoubt = undefined;
    if (head.seq === doubt.last.seq && head.hash === doubt.last.hash) {
      // The failed write was committed after all: its outcomes are stored (its decisions' requests were refused).
      seq = head.seq;
      prevHash = head.hash;
      const stored = new Set(doubt.outcomes);
      completions = completions.filter((c) => !stored.has(c));
      if (doubt.event !== undefined) doubt.outcomes.forEach((c) => c.resolve(doubt.event as ChainedEvent));
      logger?.warn({ chain, seq }, "an audit write reported as failed had been stored");
      return true;
    }
    if (head.seq !== seq || head.hash !== prevHash) {
      logger?.error({ chain, expected: seq, found: head.seq }, "the audit chain's head moved (another writer on this chain?); continuing from it");
      seq = head.seq;
      prevHash = head.hash;
    }
    return false;
  };

  /** One try: the head first when the last write failed, then one batch. Never rejects. */
  const attempt = async (): Promise<void> => {
    if (inDoubt !== undefined) {
      let stored: boolean;
      try {
        stored = await reconcile(inDoubt);
      } catch (raw) {
        const error = writeError(raw);
        refuseQueued(error);
        return failed(error);
      }
      if (stored && !waiting()) return succeeded();
    }
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    const done = completions.length > 0 && batch.length < maxBatch ? completions : [];
    if (done.length > 0) completions = [];
    const contents = batch.map((p) => p.content);
    if (done.length > 0) contents.push(outcomesEvent(done.map((c) => c.entry)));
    // A retry with nothing left to write (only decisions failed): an outcome event listing none tells whether writes
    // work again, so the log recovers without waiting for traffic (a gateway out of rotation gets none).
    if (contents.length === 0) contents.push(outcomesEvent([]));
    // Chained only here, one batch at a time: the head moves on only once the batch is stored, so a failed write
    // leaves no gap in the chain.
    const { events, last } = chainBatch(chain, { seq, hash: prevHash }, contents);
    inFlight = done;
    try {
      await insert(events);
    } catch (raw) {
      const error = writeError(raw);
      batch.forEach((p) => p.reject(error));
      // Back to the front, in order: the outcomes recorded since come after them.
      completions = [...done, ...completions];
      inDoubt = { last, outcomes: done, event: done.length > 0 ? events.at(-1) : undefined };
      return failed(error);
    } finally {
      inFlight = [];
    }
    seq = last.seq;
    prevHash = last.hash;
    batch.forEach((p, i) => p.resolve(events[i] as ChainedEvent));
    if (done.length > 0) done.forEach((c) => c.resolve(events.at(-1) as ChainedEvent));
    succeeded();
  };

  const drain = (): void => {
    if (writing !== undefined || !due()) return;
    health.writeStarted();
    writing = attempt();
    void writing.finally(() => {
      writing = undefined;
      health.writeEnded();
      // After a failure only decisions (whose requests wait) go before the retry.
      if (retryTimer === undefined || queue.length > 0) schedule();
    });
  };

  const { schedule, scheduleOutcome } = createWriteSchedule({
    groupCommitMs,
    outcomeDelayMs,
    due,
    busy: () => writing !== undefined,
    retrying: () => retryTimer !== undefined,
    start: drain,
  });

  /** `flush()` ran out of time: what is left is logged, loudly and in full, and its promises rejected. */
  const giveUp = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    const lost = completions;
    completions = [];
    const unanswered = inFlight;
    const refused = queue;
    queue = [];
    logLost(logger, [...unanswered, ...lost].map((c) => c.entry), refused.length, unanswered.length);
    const error = new Error("the audit trail could not be written before shutdown");
    lost.forEach((c) => c.reject(error));
    refused.forEach((p) => p.reject(error));
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
        completions.push({ entry: storable(entry), resolve, reject });
        scheduleOutcome();
      });
    },
    get healthy() {
      return health.healthy(backlog());
    },
    health: () => health.report(backlog()),
    async flush() {
      const deadline = performance.now() + flushTimeoutMs;
      while (writing !== undefined || waiting()) {
        const left = deadline - performance.now();
        if (left <= 0) return giveUp();
        if (writing === undefined && retryTimer === undefined) schedule(true);
        // A pending retry is waited for in short steps; a hung write no longer than the deadline.
        await within(writing ?? (retryTimer === undefined ? nextTurn() : undefined), Math.min(left, writing === undefined ? 10 : left));
      }
    },
  };
}
