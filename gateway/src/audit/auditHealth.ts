/**
 * Whether the audit log can be trusted with the next decision: its writes have not been failing (or one hanging) for
 * longer than a grace, and not too many outcomes wait to be written. Asked before personal data is served, so it is
 * a few comparisons and no I/O.
 */

export interface AuditHealth {
  /** False: personal data must not be served (see `reason`). */
  readonly healthy: boolean;
  /** Events and outcomes recorded but not yet stored. */
  readonly backlog: number;
  /** Milliseconds since writes began failing without one succeeding since; 0 when they are not failing. */
  readonly failingForMs: number;
  /** Why it is unhealthy, for /ready and the logs; never SQL or a database message. */
  readonly reason?: string;
}

export interface HealthOptions {
  readonly graceMs: number;
  readonly maxBacklog: number;
  readonly now: () => number;
}

export interface HealthTracker {
  /** A write (or the read after one) failed: the failing period starts, unless it has already. */
  failed(): void;
  /** Writes are working again (or nothing is left to write); true when they had been failing. */
  recovered(): boolean;
  writeStarted(): void;
  writeEnded(): void;
  healthy(backlog: number): boolean;
  report(backlog: number): AuditHealth;
}

export function createHealthTracker({ graceMs, maxBacklog, now }: HealthOptions): HealthTracker {
  let failingSince: number | undefined;
  let writeSince: number | undefined;
  const reason = (backlog: number): string | undefined => {
    const t = now();
    if (failingSince !== undefined && t - failingSince > graceMs) {
      return `audit writes failing for ${Math.round(t - failingSince)} ms; ${backlog} waiting to be written`;
    }
    if (writeSince !== undefined && t - writeSince > graceMs) return `an audit write has not answered for ${Math.round(t - writeSince)} ms`;
    if (backlog > maxBacklog) return `${backlog} audit records waiting to be written (at most ${maxBacklog})`;
    return undefined;
  };
  return {
    failed() {
      failingSince ??= now();
    },
    recovered() {
      const was = failingSince !== undefined;
      failingSince = undefined;
      return was;
    },
    writeStarted() {
      writeSince = now();
    },
    writeEnded() {
      writeSince = undefined;
    },
    healthy(backlog) {
      if (failingSince === undefined && writeSince === undefined) return backlog <= maxBacklog;
      return reason(backlog) === undefined;
    },
    report(backlog) {
      const why = reason(backlog);
      return {
        healthy: why === undefined,
        backlog,
        failingForMs: failingSince === undefined ? 0 : now() - failingSince,
        ...(why === undefined ? {} : { reason: why }),
      };
    },
  };
}

/** Exponential backoff: `minMs` after the first failure, doubled after each one, at most `maxMs`. */
export function retryDelay(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
}
