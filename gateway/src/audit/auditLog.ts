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
 * When a write fails, its decisions are refused at once but its outcomes are never lost: back to the front, in order,
 * and retried with capped backoff until stored (auditRetry.ts), the head read again first since a write reported as
 * failed may have been committed (auditWrite.ts). `healthy` turns false when writes have failed for longer than
 * `failureGraceMs`, one hangs that long, or more than `maxBacklog` records wait: personal data must then not be
 * served. `flush()` tries for at most `flushTimeoutMs` and logs what it could not write (auditFlush.ts).
 */
import { randomUUID } from "node:crypto";
import type { Db, Logger } from "@ndx/platform";
import { storable } from "./auditBatch.ts";
import type { AuditContent, ChainedEvent, OutcomeEntry } from "./auditEvent.ts";
import { flushWithin } from "./auditFlush.ts";
import { createHealthTracker, type AuditHealth } from "./auditHealth.ts";
import { createAuditInsert, readHead } from "./auditInsert.ts";
import { createPendingQueues } from "./auditPending.ts";
import { createRetry } from "./auditRetry.ts";
import { createWriteAttempt } from "./auditWrite.ts";
import { createWriteSchedule } from "./writeSchedule.ts";

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

export async function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { db, chain = "main", maxBatch = 500, outcomeDelayMs = 50, groupCommitMs = 0, logger } = options;
  const { retryMinMs = 50, retryMaxMs = 2000, flushTimeoutMs = 5000 } = options;
  const head = await readHead(db, chain);
  const health = createHealthTracker({
    graceMs: options.failureGraceMs ?? 5000,
    maxBacklog: options.maxBacklog ?? 10_000,
    now: options.now ?? (() => performance.now()),
  });
  const pending = createPendingQueues();
  const retry = createRetry({ minMs: retryMinMs, maxMs: retryMaxMs, health, logger, backlog: pending.backlog, retry: () => schedule(true) });
  const insert = createAuditInsert(db, options.onWrite);
  const { failed, succeeded } = retry;
  const write = createWriteAttempt({ db, chain, head, maxBatch, insert, pending, logger, failed, succeeded });
  const due = (): boolean => pending.waiting() || write.inDoubt();
  let writing: Promise<void> | undefined;

  const drain = (): void => {
    if (writing !== undefined || !due()) return;
    health.writeStarted();
    writing = write.attempt();
    void writing.finally(() => {
      writing = undefined;
      health.writeEnded();
      // After a failure only decisions (whose requests wait) go before the retry.
      if (!retry.pending() || pending.hasEvents()) schedule();
    });
  };

  const { schedule, scheduleOutcome } = createWriteSchedule({
    groupCommitMs,
    outcomeDelayMs,
    due,
    busy: () => writing !== undefined,
    retrying: retry.pending,
    start: drain,
  });

  return {
    append(input) {
      const content: AuditContent = {
        ...input,
        id: input.id ?? randomUUID(),
        // Milliseconds: what a timestamptz round-trips exactly through both drivers.
        at: input.at ?? new Date().toISOString(),
      };
      return new Promise<ChainedEvent>((resolve, reject) => {
        pending.append({ content, resolve, reject });
        if (content.kind === "outcome") scheduleOutcome();
        else schedule();
      });
    },
    complete(entry) {
      return new Promise<ChainedEvent>((resolve, reject) => {
        pending.complete({ entry: storable(entry), resolve, reject });
        scheduleOutcome();
      });
    },
    get healthy() {
      return health.healthy(pending.backlog());
    },
    health: () => health.report(pending.backlog()),
    flush: () => flushWithin({ timeoutMs: flushTimeoutMs, pending, retry, logger, writing: () => writing, writeNow: () => schedule(true) }),
  };
}
