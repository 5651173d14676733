/**
 * One upstream (one agency's system) as seen by an adapter: every call gets a timeout per attempt; idempotent calls
 * are retried on transient failures with exponential backoff and jitter (a `Retry-After` is honoured when it is
 * short enough); all attempts go through the upstream's circuit breaker, so a failing upstream is failed fast.
 * Failures come out as `UpstreamError`; each failed attempt is logged without bodies or credentials.
 */
import type { Logger, ServiceMetrics } from "@ndx/platform";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { CircuitOpenError, createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions } from "./circuitBreaker.ts";
import { isTransient, isUpstreamFault, UpstreamError } from "./upstreamError.ts";
import { upstreamMetrics, type LegacyCallOutcome } from "./upstreamMetrics.ts";

export interface UpstreamOptions {
  /** The provider's name as consumers see it: the subgraph name (`drp`, `dmt`). */
  readonly provider: string;
  /** Timeout of one attempt. @default 2000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for idempotent calls. @default 2 */
  readonly retries?: number;
  /** @default { baseMs: 100, maxMs: 2000 } */
  readonly backoff?: BackoffOptions;
  /** The longest `Retry-After` worth waiting for; a longer one fails the call at once. @default 1000 */
  readonly maxRetryAfterMs?: number;
  /** @default { failureThreshold: 5, resetAfterMs: 10000 } */
  readonly breaker?: Omit<CircuitBreakerOptions, "onStateChange">;
  readonly logger: Logger;
  /** Waits between attempts, injectable for tests. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The adapter's registry: breaker state, attempts and their latency (upstreamMetrics.ts). @default none */
  readonly metrics?: ServiceMetrics | undefined;
}

export interface CallOptions {
  /** Only idempotent calls (reads) are retried. */
  readonly idempotent: boolean;
}

export interface Upstream {
  readonly provider: string;
  readonly breaker: CircuitBreaker;
  /**
   * Runs `attempt` under the upstream's policies. `operation` names the call in logs. `attempt` must honour the
   * signal (it is aborted at the timeout) and throw `UpstreamError` for what the upstream answered.
   */
  call<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createUpstream(options: UpstreamOptions): Upstream {
  const { provider, timeoutMs = 2000, retries = 2, maxRetryAfterMs = 1000, logger, sleep = defaultSleep } = options;
  const log = logger.child({ provider });
  const metrics = options.metrics === undefined ? undefined : upstreamMetrics(options.metrics);
  const breaker = createCircuitBreaker({
    ...options.breaker,
    onStateChange: (to, from) => {
      log.warn({ from, to }, `circuit breaker ${to}`);
      metrics?.transition(provider, to);
    },
  });
  metrics?.watch(provider, breaker);

  async function once<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UpstreamError("timeout", provider, `${operation}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      // The race settles at the timeout even if `attempt` ignores its signal.
      return await Promise.race([attempt(controller.signal), timedOut]);
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof UpstreamError && error.kind === "timeout")) {
        throw new UpstreamError("timeout", provider, `${operation}: no answer within ${timeoutMs} ms`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    provider,
    breaker,
    async call<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>, callOptions: CallOptions): Promise<T> {
      const attempts = callOptions.idempotent ? 1 + retries : 1;
      for (let n = 1; ; n++) {
        const started = performance.now();
        try {
          const value = await breaker.execute(() => once(operation, attempt), isUpstreamFault);
          metrics?.attempt(provider, operation, "ok", (performance.now() - started) / 1000);
          return value;
        } catch (raw) {
          const outcome = outcomeOf(raw);
          metrics?.attempt(provider, operation, outcome, outcome === "rejected_by_breaker" ? undefined : (performance.now() - started) / 1000);
          const error =
            raw instanceof CircuitOpenError ? new UpstreamError("circuit_open", provider, `${operation}: ${raw.message}`) : raw;
          if (!(error instanceof UpstreamError)) throw error;
          const delay = n < attempts && isTransient(error) ? retryDelay(error, n) : undefined;
          // "Not found" is an answer, not a failure worth a warning.
          log[error.kind === "not_found" ? "debug" : "warn"](
            { operation, attempt: n, reason: error.kind, status: error.status, willRetry: delay !== undefined, detail: error.message },
            "upstream call failed",
          );
          if (delay === undefined) throw error;
          await sleep(delay);
        }
      }
    },
  };

  function retryDelay(error: UpstreamError, retry: number): number | undefined {
    const backoff = backoffDelay(retry, options.backoff);
    if (error.retryAfterMs === undefined) return backoff;
    return error.retryAfterMs > maxRetryAfterMs ? undefined : Math.max(error.retryAfterMs, backoff);
  }
}

/** A failed attempt as `ndx_legacy_calls_total` counts it: "not found" is an answer, so `ok`. */
function outcomeOf(error: unknown): LegacyCallOutcome {
  if (error instanceof CircuitOpenError) return "rejected_by_breaker";
  if (!(error instanceof UpstreamError)) return "error";
  return error.kind === "timeout" ? "timeout" : error.kind === "not_found" ? "ok" : "error";
}
