/**
 * An adapter's instruments for its legacy upstreams, on the service's registry (served at GET /metrics):
 *
 * - `ndx_circuit_breaker_state{provider,state}`: one series per state (`closed`, `half_open`, `open`), 1 for the
 *   state a call made now would meet and 0 for the others — Prometheus' pattern for an enum, so that
 *   `ndx_circuit_breaker_state{state="open"} == 1` is the alert and no one has to remember what 2 meant. Read at
 *   scrape time: an open circuit whose wait is over shows as half-open.
 * - `ndx_circuit_breaker_transitions_total{provider,to}`: changes of state (a flapping upstream shows here).
 * - `ndx_legacy_calls_total{provider,operation,outcome}`: one per attempt, so a retried call counts once per try;
 *   `outcome` is `ok` (the legacy system answered, "no such record" included), `error`, `timeout` or
 *   `rejected_by_breaker` (failed fast, the legacy system was not called).
 * - `ndx_legacy_call_duration_seconds{provider,operation,outcome}`: how long the attempts that reached the legacy
 *   system took.
 */
import { Counter, Gauge, Histogram, type ServiceMetrics } from "@ndx/platform";
import type { BreakerState, CircuitBreaker } from "./circuitBreaker.ts";

export type LegacyCallOutcome = "ok" | "error" | "timeout" | "rejected_by_breaker";

export interface UpstreamMetrics {
  /** Shows this provider's breaker in `ndx_circuit_breaker_state`. */
  watch(provider: string, breaker: CircuitBreaker): void;
  transition(provider: string, to: BreakerState): void;
  /** One attempt; `seconds` is undefined when the legacy system was not called. */
  attempt(provider: string, operation: string, outcome: LegacyCallOutcome, seconds: number | undefined): void;
}

const states: readonly BreakerState[] = ["closed", "half_open", "open"];
// One set of instruments per registry: two upstreams of one adapter share them (a metric name registers once).
const instruments = new WeakMap<ServiceMetrics, UpstreamMetrics>();

export function upstreamMetrics(service: ServiceMetrics): UpstreamMetrics {
  const existing = instruments.get(service);
  if (existing !== undefined) return existing;
  const registers = [service.registry];
  const breakers = new Map<string, CircuitBreaker>();
  new Gauge({
    name: "ndx_circuit_breaker_state",
    help: "Circuit breaker state per legacy provider: 1 for the current state (closed, half_open, open), 0 for the others",
    labelNames: ["provider", "state"] as const,
    registers,
    collect() {
      for (const [provider, breaker] of breakers) {
        const current = breaker.state;
        for (const state of states) this.set({ provider, state }, state === current ? 1 : 0);
      }
    },
  });
  const transitions = new Counter({
    name: "ndx_circuit_breaker_transitions_total",
    help: "Circuit breaker changes of state per legacy provider, by the state entered",
    labelNames: ["provider", "to"] as const,
    registers,
  });
  const calls = new Counter({
    name: "ndx_legacy_calls_total",
    help: "Attempts to call a legacy system, by provider, operation and outcome (ok, error, timeout, rejected_by_breaker)",
    labelNames: ["provider", "operation", "outcome"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "ndx_legacy_call_duration_seconds",
    help: "Duration of the attempts that reached a legacy system, in seconds",
    labelNames: ["provider", "operation", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers,
  });
  const metrics: UpstreamMetrics = {
    watch(provider, breaker) {
      breakers.set(provider, breaker);
      for (const to of states) transitions.inc({ provider, to }, 0);
    },
    transition: (provider, to) => transitions.inc({ provider, to }),
    attempt(provider, operation, outcome, seconds) {
      calls.inc({ provider, operation, outcome });
      if (seconds !== undefined) duration.observe({ provider, operation, outcome }, seconds);
    },
  };
  instruments.set(service, metrics);
  return metrics;
}
