/**
 * The audit log's retry after a failed write: exponential backoff (capped) from the first failure until a write
 * succeeds. Only a successful write restores health; the first failure and the recovery are logged, not every retry.
 */
import type { Logger } from "@ndx/platform";
import { retryDelay, type HealthTracker } from "./auditHealth.ts";

export interface RetryOptions {
  /** Wait before the first retry; doubled after each failure. */
  readonly minMs: number;
  /** Longest wait between two retries. */
  readonly maxMs: number;
  readonly health: HealthTracker;
  readonly logger: Logger | undefined;
  /** Records waiting to be written, for the logs. */
  readonly backlog: () => number;
  /** Starts the retry (at once, past any group-commit wait). */
  readonly retry: () => void;
}

export interface Retry {
  /** A write failed: the next try is scheduled after the backoff. */
  failed(error: unknown): void;
  /** A write succeeded: the backoff starts over, no retry is pending and health is restored. */
  succeeded(): void;
  /** Whether a retry is pending. */
  pending(): boolean;
  /** Drops the pending retry (`flush()` gave up). */
  cancel(): void;
}

export function createRetry({ minMs, maxMs, health, logger, backlog, retry }: RetryOptions): Retry {
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
  };
  return {
    failed(error) {
      failures += 1;
      health.failed();
      if (failures === 1) logger?.warn({ err: error, waiting: backlog() }, "audit write failed; its outcomes are kept and retried");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        retry();
      }, retryDelay(failures, minMs, maxMs));
      // The server keeps the process alive; at shutdown flush() retries on its own, for a bounded time.
      retryTimer.unref();
    },
    succeeded() {
      failures = 0;
      cancel();
      if (health.recovered()) logger?.info({ waiting: backlog() }, "audit writes recovered");
    },
    pending: () => retryTimer !== undefined,
    cancel,
  };
}
