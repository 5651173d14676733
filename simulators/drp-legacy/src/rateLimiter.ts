/** A token bucket per API key: `ratePerSecond` refill, `burst` capacity. */

export interface RateLimiterOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RateLimiter {
  /** Takes a token: undefined when allowed, else the seconds to wait (for Retry-After). */
  take(key: string): number | undefined;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerSecond, burst, now = Date.now } = options;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * ratePerSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond));
    },
  };
}
