/**
 * The TSA's metrics at GET /metrics: every request by route template and status (platform's httpMetrics), and
 * `ndx_tsa_requests_total{outcome}`: time-stamp requests granted or rejected with their PKIFailureInfo
 * (`badAlg`, `badRequest`, `badDataFormat`, `unacceptedPolicy`).
 */
import { Counter, createHttpMetrics, createServiceMetrics, type HttpMetrics, type ServiceMetrics } from "@ndx/platform";
import type { TimeStampOutcome } from "./timeStamp.ts";

const tsaRoutes: readonly string[] = ["/", "/ca.pem", "/chain.pem"];

export interface TsaMetrics {
  readonly http: HttpMetrics;
  answered(outcome: TimeStampOutcome): void;
}

export function createTsaMetrics(service: ServiceMetrics = createServiceMetrics("time-stamping-authority")): TsaMetrics {
  const requests = new Counter({
    name: "ndx_tsa_requests_total",
    help: "Time-stamp requests by outcome (granted, or the PKIFailureInfo of a rejection)",
    labelNames: ["outcome"] as const,
    registers: [service.registry],
  });
  requests.inc({ outcome: "granted" }, 0);
  return { http: createHttpMetrics(service, { routes: tsaRoutes }), answered: (outcome) => requests.inc({ outcome }) };
}
