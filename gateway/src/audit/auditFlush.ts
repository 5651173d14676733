/**
 * `flush()` of the audit log: writes everything queued, retrying for at most `flushTimeoutMs`; then gives up, logs
 * what it could not write (the only place it remains) and rejects its promises.
 */
import type { Logger } from "@ndx/platform";
import { logLost } from "./auditBatch.ts";
import type { PendingQueues } from "./auditPending.ts";
import type { Retry } from "./auditRetry.ts";
import { nextTurn, within } from "./writeSchedule.ts";

export interface FlushOptions {
  readonly timeoutMs: number;
  readonly pending: PendingQueues;
  readonly retry: Retry;
  readonly logger: Logger | undefined;
  /** The write in flight, if any. */
  readonly writing: () => Promise<void> | undefined;
  /** Starts a write at once (past any group-commit wait). */
  readonly writeNow: () => void;
}

export async function flushWithin(options: FlushOptions): Promise<void> {
  const { timeoutMs, pending, retry, writing, writeNow } = options;
  const deadline = performance.now() + timeoutMs;
  while (writing() !== undefined || pending.waiting()) {
    const left = deadline - performance.now();
    if (left <= 0) return giveUp(options);
    if (writing() === undefined && !retry.pending()) writeNow();
    const inFlight = writing();
    // A pending retry is waited for in short steps; a hung write no longer than the deadline.
    await within(inFlight ?? (retry.pending() ? undefined : nextTurn()), Math.min(left, inFlight === undefined ? 10 : left));
  }
}

/** `flush()` ran out of time: what is left is logged, loudly and in full, and its promises rejected. */
function giveUp({ pending, retry, logger }: FlushOptions): void {
  retry.cancel();
  const { lost, unanswered, refused } = pending.abandon();
  logLost(logger, [...unanswered, ...lost].map((c) => c.entry), refused.length, unanswered.length);
  const error = new Error("the audit trail could not be written before shutdown");
  lost.forEach((c) => c.reject(error));
  refused.forEach((p) => p.reject(error));
}
