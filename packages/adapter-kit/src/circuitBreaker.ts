/**
 * A circuit breaker per upstream. Closed: calls go through; `failureThreshold` consecutive upstream faults open it.
 * Open: calls fail at once without touching the upstream. After `resetAfterMs` it is half-open: exactly one trial
 * call goes through (others still fail fast); its success closes the circuit, its failure opens it again.
 */

export type BreakerState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  /** Consecutive upstream faults that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. @default 10000 */
  readonly resetAfterMs?: number;
  /** The clock, injectable for tests. @default Date.now */
  readonly now?: () => number;
  /** Called on every change of state (logs, metrics). */
  readonly onStateChange?: (to: BreakerState, from: BreakerState) => void;
}

export class CircuitOpenError extends Error {
  override name = "CircuitOpenError";
}

export interface CircuitBreaker {
  /** The state a call made now would meet (an open circuit whose time is up reads as half-open). */
  readonly state: BreakerState;
  /**
   * Runs `fn` unless the circuit is open. `isFault` says which errors count against the upstream; others (a 404,
   * a refused request) count as an answer, and so as a success.
   */
  execute<T>(fn: () => Promise<T>, isFault: (error: unknown) => boolean): Promise<T>;
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const { failureThreshold = 5, resetAfterMs = 10_000, now = Date.now, onStateChange } = options;
  if (!Number.isInteger(failureThreshold) || failureThreshold < 1) throw new Error("failureThreshold must be >= 1");
  let state: BreakerState = "closed";
  let failures = 0;
  let openedAt = 0;
  let trialInFlight = false;

  const move = (to: BreakerState) => {
    if (to === state) return;
    const from = state;
    state = to;
    onStateChange?.(to, from);
  };

  const current = (): BreakerState => (state === "open" && now() - openedAt >= resetAfterMs ? "half_open" : state);

  return {
    get state() {
      return current();
    },
    async execute<T>(fn: () => Promise<T>, isFault: (error: unknown) => boolean): Promise<T> {
      const seen = current();
      if (seen === "open") throw new CircuitOpenError("circuit open");
      let trial = false;
      if (seen === "half_open") {
        if (trialInFlight) throw new CircuitOpenError("circuit half-open: a trial call is in flight");
        move("half_open");
        trialInFlight = true;
        trial = true;
      }
      try {
        const value = await fn();
        onAnswer(trial);
        return value;
      } catch (error) {
        if (isFault(error)) onFault(trial);
        else onAnswer(trial);
        throw error;
      } finally {
        if (trial) trialInFlight = false;
      }
    },
  };

  function onAnswer(trial: boolean) {
    failures = 0;
    if (trial || state !== "closed") move("closed");
  }

  function onFault(trial: boolean) {
    failures += 1;
    if (trial || failures >= failureThreshold) {
      openedAt = now();
      // From half-open back to open is a change of state worth reporting even though `state` reads "half_open".
      move("open");
    }
  }
}
