/** Exponential backoff with full jitter (a random delay between 0 and the capped exponential step). */

export interface BackoffOptions {
  /** The first step. @default 100 */
  readonly baseMs?: number;
  /** No step is longer. @default 2000 */
  readonly maxMs?: number;
  /** Source of jitter in [0, 1), injectable for tests. @default Math.random */
  readonly random?: () => number;
}

/** Delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, options: BackoffOptions = {}): number {
  const { baseMs = 100, maxMs = 2000, random = Math.random } = options;
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * step);
}
