/**
 * Per-consumer rate limits: GCRA (the generic cell rate algorithm, a token bucket kept as one number per key: the
 * theoretical arrival time of the next request). A caller may send `burst` requests at once and then `perSecond`
 * requests a second; one over is refused with HTTP 429, `Retry-After` (whole seconds, at least 1) and the code
 * RATE_LIMITED. A refused request takes nothing from the allowance.
 *
 * This state is in memory, per gateway replica. With `global` (globalRateLimit.ts: leased from the shared database)
 * the rate per second also holds once across every replica, and the burst is then each replica's. The state is a
 * bounded map, least recently seen first out; a forgotten key is a fresh, full allowance, and a key whose arrival
 * time has passed is exactly that anyway. Each check is O(1): no I/O, no timers.
 */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import type { Caller } from "./consumerAuth.ts";
import type { GlobalLimiter } from "./globalRateLimit.ts";

export interface Rate {
  /** Sustained requests per second; 0 means unlimited. */
  readonly perSecond: number;
  /** Requests that may arrive at once, above the sustained rate; at least 1. */
  readonly burst: number;
}

export interface RateLimiterOptions {
  /** Most keys remembered; beyond it the least recently seen is forgotten. @default 10000 */
  readonly maxKeys?: number;
  /** Milliseconds from a monotonic clock (tests inject their own). @default performance.now */
  readonly now?: () => number;
}

export interface RateLimiter {
  /** Takes one request from `key`'s allowance at `rate`: 0 when admitted, else the milliseconds until it would be. */
  take(key: string, rate: Rate): number;
  /** Keys remembered now. */
  readonly size: number;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? (() => performance.now());
  /** key → theoretical arrival time (ms) of the request after the last admitted one. */
  const arrivals = new Map<string, number>();
  return {
    take(key, rate) {
      if (rate.perSecond <= 0) return 0;
      const interval = 1000 / rate.perSecond;
      const t = now();
      const previous = arrivals.get(key);
      const next = Math.max(previous ?? t, t) + interval;
      const wait = next - rate.burst * interval - t;
      if (wait > 0) return wait;
      // Re-inserted at the end: Map order is then least recently admitted first, the one to forget.
      if (previous !== undefined) arrivals.delete(key);
      else if (arrivals.size >= maxKeys) {
        const oldest = arrivals.keys().next();
        if (oldest.done !== true) arrivals.delete(oldest.value);
      }
      arrivals.set(key, next);
      return 0;
    },
    get size() {
      return arrivals.size;
    },
  };
}

export interface ConsumerRateLimitOptions extends RateLimiterOptions {
  /** Every caller's rate unless overridden. @default { perSecond: 500, burst: 1000 } */
  readonly rate?: Rate;
  /** Consumer id → its own rate. @default {} */
  readonly consumers?: Readonly<Record<string, Rate>>;
  /** Told of every refusal (metrics); `consumer` is the consumer id, or the caller's kind for a person. */
  readonly onLimited?: (consumer: string) => void;
  /** The rate per second held across replicas as well (checked first). @default none: per replica only */
  readonly global?: GlobalLimiter | undefined;
}

/**
 * The rate-limit check for the access plugin's `admit`: consumers by their id (with their own rate if configured),
 * signed-in people by kind and id at the default rate.
 */
export function createConsumerRateLimit(options: ConsumerRateLimitOptions = {}): (caller: Caller) => GraphQLError | undefined {
  const limiter = createRateLimiter(options);
  const fallback = checkRate(options.rate ?? { perSecond: 500, burst: 1000 }, "default");
  const overrides = new Map(Object.entries(options.consumers ?? {}).map(([id, rate]) => [id, checkRate(rate, id)]));
  return (caller) => {
    const consumer = caller.kind === "consumer";
    const rate = (consumer ? overrides.get(caller.id) : undefined) ?? fallback;
    const key = consumer ? caller.id : `${caller.kind}:${caller.id}`;
    const globalWait = options.global?.take(key, Math.ceil(rate.perSecond)) ?? 0;
    const waitMs = globalWait > 0 ? globalWait : limiter.take(key, rate);
    if (waitMs === 0) return undefined;
    options.onLimited?.(consumer ? caller.id : caller.kind);
    return rateLimited(consumer ? `Consumer ${caller.id}` : "This caller", rate, waitMs);
  };
}

export function rateLimited(who: string, rate: Rate, waitMs: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  return ndxError(
    "RATE_LIMITED",
    `${who} is over its rate limit of ${rate.perSecond} requests per second (burst ${rate.burst}); retry after ${retryAfter} s`,
    { details: { retryAfterSeconds: retryAfter }, headers: { "Retry-After": String(retryAfter) } },
  );
}

function checkRate(rate: Rate, name: string): Rate {
  if (!Number.isFinite(rate.perSecond) || rate.perSecond < 0) throw new Error(`rate limit ${name}: perSecond must be 0 or more`);
  if (!Number.isInteger(rate.burst) || rate.burst < 1) throw new Error(`rate limit ${name}: burst must be a whole number, at least 1`);
  return rate;
}
