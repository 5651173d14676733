/**
 * One audit write: the next batch chained onto the head and stored in one INSERT. The head moves on only once a
 * batch is stored, so a failed write leaves no gap in the chain. A failed write may have been committed all the same
 * (the connection lost after the commit): it is kept in doubt, and before the next try the chain's head is read again
 * to tell.
 */
import type { Db, Logger } from "@ndx/platform";
import { chainBatch, outcomesEvent, writeError } from "./auditBatch.ts";
import type { ChainedEvent } from "./auditEvent.ts";
import { readHead, type ChainHead } from "./auditInsert.ts";
import type { Completion, PendingQueues } from "./auditPending.ts";

/** A write that failed may still have been committed; the head read before the next write tells. */
interface InDoubt {
  readonly last: ChainHead;
  readonly outcomes: readonly Completion[];
  readonly event: ChainedEvent | undefined;
}

export interface WriteAttemptOptions {
  readonly db: Db;
  readonly chain: string;
  /** The chain's head when the log opened. */
  readonly head: ChainHead;
  readonly maxBatch: number;
  readonly insert: (events: readonly ChainedEvent[]) => Promise<void>;
  readonly pending: PendingQueues;
  readonly logger: Logger | undefined;
  /** Told of a failed write (or a failed read of the head after one), with the error fit to log and hand back. */
  readonly failed: (error: Error) => void;
  /** Told that writes work (a batch was stored, or the write in doubt was and nothing else waits). */
  readonly succeeded: () => void;
}

export interface WriteAttempt {
  /** One try: the head first when the last write failed, then one batch. Never rejects. */
  attempt(): Promise<void>;
  /** Whether the last write failed, so the head must be read before the next (a write is due even with nothing queued). */
  inDoubt(): boolean;
}

export function createWriteAttempt(options: WriteAttemptOptions): WriteAttempt {
  const { db, chain, maxBatch, insert, pending, logger, failed, succeeded } = options;
  let { seq, hash: prevHash } = options.head;
  let inDoubt: InDoubt | undefined;

  /** Reads the head after a failed write; true when that write was committed after all. */
  const reconcile = async (doubt: InDoubt): Promise<boolean> => {
    const head = await readHead(db, chain);
    inDoubt = undefined;
    if (head.seq === doubt.last.seq && head.hash === doubt.last.hash) {
      // The failed write was committed after all: its outcomes are stored (its decisions' requests were refused).
      seq = head.seq;
      prevHash = head.hash;
      pending.forget(doubt.outcomes);
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

  const attempt = async (): Promise<void> => {
    if (inDoubt !== undefined) {
      let stored: boolean;
      try {
        stored = await reconcile(inDoubt);
      } catch (raw) {
        const error = writeError(raw);
        pending.refuseEvents(error);
        return failed(error);
      }
      if (stored && !pending.waiting()) return succeeded();
    }
    const { batch, done } = pending.take(maxBatch);
    const contents = batch.map((p) => p.content);
    if (done.length > 0) contents.push(outcomesEvent(done.map((c) => c.entry)));
    // A retry with nothing left to write (only decisions failed): an outcome event listing none tells whether writes
    // work again, so the log recovers without waiting for traffic (a gateway out of rotation gets none).
    if (contents.length === 0) contents.push(outcomesEvent([]));
    const { events, last } = chainBatch(chain, { seq, hash: prevHash }, contents);
    pending.inFlight(done);
    try {
      await insert(events);
    } catch (raw) {
      const error = writeError(raw);
      batch.forEach((p) => p.reject(error));
      pending.putBack(done, error);
      inDoubt = { last, outcomes: done, event: done.length > 0 ? events.at(-1) : undefined };
      return failed(error);
    } finally {
      pending.inFlight([]);
    }
    seq = last.seq;
    prevHash = last.hash;
    batch.forEach((p, i) => p.resolve(events[i] as ChainedEvent));
    if (done.length > 0) done.forEach((c) => c.resolve(events.at(-1) as ChainedEvent));
    succeeded();
  };

  return { attempt, inDoubt: () => inDoubt !== undefined };
}
