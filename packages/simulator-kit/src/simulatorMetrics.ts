/**
 * A simulator's metrics, served at GET /metrics: every request by route template and status
 * (`ndx_http_request_duration_seconds`, platform's httpMetrics) and the requests of each legacy operation by the
 * fault acted out for it, `ndx_simulator_requests_total{operation,fault}` (`fault="none"` when it answered
 * normally), so a test run or a demo shows how much of the traffic was sabotaged and how.
 */
import { Counter, createHttpMetrics, createServiceMetrics, type HttpMetrics } from "@ndx/platform";

export interface SimulatorMetrics {
  readonly http: HttpMetrics;
  /** One request of `operation` served, with the label of the fault acted out ("none" for none). */
  served(operation: string, fault: string): void;
}

/** `routes` are the simulator's own route templates; health and the test control endpoints are added. */
export function createSimulatorMetrics(service: string, routes: readonly string[]): SimulatorMetrics {
  const metrics = createServiceMetrics(service);
  const http = createHttpMetrics(metrics, { routes: [...routes, "/__test/faults", "/__test/stats"] });
  const requests = new Counter({
    name: "ndx_simulator_requests_total",
    help: 'Legacy operations served, by operation and the fault injected ("none" when answered normally)',
    labelNames: ["operation", "fault"] as const,
    registers: [metrics.registry],
  });
  return { http, served: (operation, fault) => requests.inc({ operation, fault }) };
}

