/**
 * What the audit log holds until it is stored: the events appended (decisions, whose requests wait), the outcomes
 * recorded with `complete()` (in the order they were recorded, stored as one event per write) and the outcomes of
 * the write in flight. A failed write's outcomes go back to the front, so order is kept across retries.
 */
import type { AuditContent, ChainedEvent, OutcomeEntry } from "./auditEvent.ts";

export interface Pending {
  readonly content: AuditContent;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

export interface Completion {
  readonly entry: OutcomeEntry;
  resolve(event: ChainedEvent): void;
  reject(error: unknown): void;
}

/** What `flush()` gave up on: outcomes never written, outcomes of a write that never answered, events refused. */
export interface Abandoned {
  readonly lost: readonly Completion[];
  readonly unanswered: readonly Completion[];
  readonly refused: readonly Pending[];
}

export interface PendingQueues {
  append(pending: Pending): void;
  complete(completion: Completion): void;
  /** Events and outcomes recorded but not yet stored (those in flight included). */
  backlog(): number;
  /** Whether anything waits for a write (not counting the write in flight). */
  waiting(): boolean;
  /** Whether appended events wait (their requests do). */
  hasEvents(): boolean;
  /** The next write: at most `maxBatch` events, and all the waiting outcomes when the events leave room. */
  take(maxBatch: number): { batch: Pending[]; done: Completion[] };
  /** The outcomes of the write now in flight (none once it has answered). */
  inFlight(done: readonly Completion[]): void;
  /**
   * A failed write's outcomes, back to the front in order: those recorded since come after them. Those `abandon()`
   * already gave up on (the write was in flight then) are rejected with `error` instead: they were logged as lost.
   */
  putBack(done: readonly Completion[], error: unknown): void;
  /** Outcomes found stored after all (a write reported as failed had been committed) leave the queue. */
  forget(stored: readonly Completion[]): void;
  /** Rejects every waiting event (a failed write: their requests read nothing). */
  refuseEvents(error: unknown): void;
  /**
   * Empties the waiting queues and hands back what was in them. The write in flight goes on: its outcomes are
   * stored if it succeeds, and rejected if it fails.
   */
  abandon(): Abandoned;
}

export function createPendingQueues(): PendingQueues {
  let queue: Pending[] = [];
  // Outcomes waiting for the next write, which stores them as one event; in the order they were recorded.
  let completions: Completion[] = [];
  let inFlight: readonly Completion[] = [];
  // Outcomes of a write in flight when flush() gave up: logged as lost, so never put back.
  let givenUp = new Set<Completion>();
  return {
    append: (pending) => void queue.push(pending),
    complete: (completion) => void completions.push(completion),
    backlog: () => queue.length + completions.length + inFlight.length,
    waiting: () => queue.length > 0 || completions.length > 0,
    hasEvents: () => queue.length > 0,
    take(maxBatch) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      const done = completions.length > 0 && batch.length < maxBatch ? completions : [];
      if (done.length > 0) completions = [];
      return { batch, done };
    },
    inFlight(done) {
      inFlight = done;
      givenUp = new Set();
    },
    putBack(done, error) {
      const kept = done.filter((c) => !givenUp.has(c));
      done.filter((c) => givenUp.has(c)).forEach((c) => c.reject(error));
      completions = [...kept, ...completions];
    },
    forget(stored) {
      const set = new Set(stored);
      completions = completions.filter((c) => !set.has(c));
    },
    refuseEvents(error) {
      const refused = queue;
      queue = [];
      refused.forEach((p) => p.reject(error));
    },
    abandon() {
      const lost = completions;
      completions = [];
      const refused = queue;
      queue = [];
      givenUp = new Set(inFlight);
      return { lost, unanswered: inFlight, refused };
    },
  };
}
