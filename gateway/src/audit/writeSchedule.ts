/**
 * When the audit log's next write starts: at the end of this event-loop turn, or — group commit, like PostgreSQL's
 * commit_delay — no sooner than `groupCommitMs` after the previous one started; outcomes alone start one only after
 * `outcomeDelayMs`, and not while a retry is pending (it will take them).
 */

export interface WriteScheduleOptions {
  readonly groupCommitMs: number;
  readonly outcomeDelayMs: number;
  /** Whether there is anything to write (or the head to read again after a failure). */
  readonly due: () => boolean;
  /** Whether a write is in flight. */
  readonly busy: () => boolean;
  /** Whether a retry after a failed write is pending. */
  readonly retrying: () => boolean;
  /** Starts one write. */
  readonly start: () => void;
}

export interface WriteSchedule {
  /** A write at the end of this turn, or when the group-commit interval allows; `now` skips the interval. */
  readonly schedule: (now?: boolean) => void;
  /** A write after `outcomeDelayMs`, unless one comes sooner. */
  readonly scheduleOutcome: () => void;
}

export function createWriteSchedule(options: WriteScheduleOptions): WriteSchedule {
  const { groupCommitMs, outcomeDelayMs, due, busy, retrying, start } = options;
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
    if (busy() || !due()) return;
    lastWriteAt = performance.now();
    start();
  };
  const schedule = (now = false): void => {
    if (!due()) return;
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
  return {
    schedule,
    scheduleOutcome: () => {
      if (retrying()) return;
      outcomeTimer ??= setTimeout(() => {
        outcomeTimer = undefined;
        if (!retrying()) schedule();
      }, outcomeDelayMs);
      outcomeTimer.unref();
    },
  };
}

export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits for `p` (if any), at most `ms`; the timer does not outlive the wait. */
export async function within(p: Promise<void> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([...(p === undefined ? [] : [p]), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
