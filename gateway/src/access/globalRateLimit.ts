/**
 * Global rate limits: a caller's budget per window (one second by default) counted once across every gateway replica,
 * in the gateway's PostgreSQL (table rate_window, migration 006). The request path does no I/O most of the time: a
 * replica leases a slice of the caller's budget (a twentieth; one upsert adds the slice to the window's `used` and
 * answers the total) and spends it in memory; once it is spent, the next requests are admitted on credit (up to one
 * slice) while the next lease is in flight, and that lease charges them. Credit the window no longer had is the only
 * overshoot (at most one slice per replica per window); the slice a replica holds unspent when the window ends is lost,
 * so a caller may get up to one slice per replica less than its budget.
 *
 * When the store cannot be reached the limit falls back to the local share: the budget divided by `replicas` per
 * replica and window (a rate limit is protection, not authorisation: refusing every caller because the database
 * hiccups would turn a limit into an outage), and the store is tried again after `retryMs`. Check: O(1), no timers.
 */
import type { Logger, Queryable } from "@ndx/platform";

export interface GlobalRateLimitOptions {
  /** The shared store: the gateway's database, migrated. */
  readonly db: Queryable;
  /** Length of a window, in ms; the budget is per window. @default 1000 */
  readonly windowMs?: number;
  /** Share of a window's budget leased at once (at least one request). @default 0.05 */
  readonly leaseFraction?: number;
  /** Replicas sharing the budget, for the local share when the store cannot be reached. @default 1 */
  readonly replicas?: number;
  /** Milliseconds after a failed lease before the store is tried again. @default 1000 */
  readonly retryMs?: number;
  /** Most keys remembered; beyond it the least recently used is forgotten. @default 10000 */
  readonly maxKeys?: number;
  /** Wall-clock milliseconds, the same on every replica (tests inject their own). @default Date.now */
  readonly clock?: () => number;
  readonly logger?: Logger | undefined;
}

export interface GlobalLimiter {
  /** Takes one request from `key`'s budget per window: 0 when admitted, else the milliseconds to the next window. */
  take(key: string, budget: number): number;
  /** Resolves when no lease is in flight. */
  settled(): Promise<void>;
  /** Forgets every key's state. */
  close(): void;
}

interface KeyState {
  readonly window: number;
  /** Leased requests not yet spent. */
  remaining: number;
  /** Admitted on credit, not yet charged in a lease. */
  credit: number;
  /** Admitted in this window (for the local share when the store is unreachable). */
  admitted: number;
  pending: boolean;
  /** Nothing more to lease this window: the budget is spent, or the store is unreachable. */
  done: boolean;
}

const leaseSql = `INSERT INTO rate_window AS r (key, window_start, used) VALUES ($1, $2, $3)
  ON CONFLICT (key, window_start) DO UPDATE SET used = r.used + excluded.used RETURNING used`;

export function createGlobalLimiter(options: GlobalRateLimitOptions): GlobalLimiter {
  const windowMs = options.windowMs ?? 1000;
  const fraction = options.leaseFraction ?? 0.05;
  const replicas = Math.max(1, options.replicas ?? 1);
  const retryMs = options.retryMs ?? 1000;
  const maxKeys = options.maxKeys ?? 10_000;
  const clock = options.clock ?? Date.now;
  const { db, logger } = options;
  const states = new Map<string, KeyState>();
  const inFlight = new Set<Promise<void>>();
  let storeDownUntil = 0;
  let lastSweep = 0;

  const localShare = (budget: number) => Math.max(1, Math.floor(budget / replicas));
  const fallBack = (s: KeyState, budget: number) => {
    s.remaining = Math.max(0, localShare(budget) - s.admitted);
    s.credit = 0;
    s.done = true;
  };

  function lease(key: string, s: KeyState, budget: number, slice: number): void {
    const credit = s.credit;
    const want = credit + slice;
    s.pending = true;
    const done = db
      .query<{ used: number | string }>(leaseSql, [key, s.window * windowMs, want])
      .then(
        ({ rows }) => {
          const used = Number(rows[0]?.used ?? want);
          const granted = Math.min(want, Math.max(0, budget - (used - want)));
          s.credit -= credit;
          s.remaining += Math.max(0, granted - credit);
          if (granted < want) s.done = true;
        },
        (error: unknown) => {
          if (clock() >= storeDownUntil) logger?.warn({ err: error }, "rate-limit store unreachable: each replica admits its local share");
          storeDownUntil = clock() + retryMs;
          fallBack(s, budget);
        },
      )
      .finally(() => {
        s.pending = false;
        inFlight.delete(done);
      });
    inFlight.add(done);
    sweep();
  }

  /** Deletes windows older than a minute, at most once a minute, from whichever replica gets there. */
  function sweep(): void {
    const t = clock();
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    db.query("DELETE FROM rate_window WHERE window_start < $1", [t - 60_000]).catch(() => undefined);
  }

  function stateOf(key: string, window: number, budget: number): KeyState {
    const known = states.get(key);
    if (known !== undefined) states.delete(key);
    else if (states.size >= maxKeys) {
      const oldest = states.keys().next();
      if (oldest.done !== true) states.delete(oldest.value);
    }
    let s = known;
    if (s === undefined || s.window !== window) {
      s = { window, remaining: 0, credit: 0, admitted: 0, pending: false, done: false };
      if (clock() < storeDownUntil) fallBack(s, budget);
    }
    // Re-inserted at the end: Map order is then least recently used first, the one to forget.
    states.set(key, s);
    return s;
  }

  return {
    take(key, budget) {
      if (budget <= 0) return 0;
      const t = clock();
      const window = Math.floor(t / windowMs);
      const s = stateOf(key, window, budget);
      const slice = Math.max(1, Math.ceil(budget * fraction));
      if (s.remaining > 0) {
        s.remaining -= 1;
        s.admitted += 1;
        // The next slice once this one is spent (not before: a slice held unspent at the window's end is lost).
        if (!s.pending && !s.done && s.remaining === 0) lease(key, s, budget, slice);
        return 0;
      }
      if (s.done || s.credit >= slice) return Math.max(1, (window + 1) * windowMs - t);
      s.credit += 1;
      s.admitted += 1;
      if (!s.pending) lease(key, s, budget, slice);
      return 0;
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close() {
      states.clear();
    },
  };
}
