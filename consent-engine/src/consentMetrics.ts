/**
 * The consent engine's metrics, served at GET /metrics (no credential, like every NDX part): every request by route
 * template and status (`ndx_http_request_duration_seconds`, platform's httpMetrics: `/v1/consents/:id`, never an id
 * or a NIC), and what operators of the consent side want to see:
 *
 * - `ndx_consent_check_results_total{result}`: checks answered `covered` (every field), `partial` or `missing`.
 *   (The gateway's `ndx_consent_checks_total{source}` counts the same checks from its side, cache hits included.)
 * - `ndx_consent_changes_total{change,via}`: consents `granted`, `rejected`, `revoked` (via `portal` or `api`) and
 *   `expired` (via `system`).
 * - `ndx_consent_requests_opened_total{result}`: consent requests `created`, or an identical open one `reused`.
 * - `ndx_consent_revision_subscribers`: revision stream subscribers (gateways following revocations) connected now.
 */
import { Counter, createHttpMetrics, createServiceMetrics, Gauge, type HttpMetrics, type ServiceMetrics } from "@ndx/platform";
import type { RevisionFeed } from "./revisionFeed.ts";

export type ConsentChange = "granted" | "rejected" | "revoked" | "expired";

/** What the consent service tells its metrics. */
export interface ConsentEvents {
  checked(result: "covered" | "partial" | "missing"): void;
  changed(change: ConsentChange, via: "portal" | "api" | "system", count?: number): void;
  opened(created: boolean): void;
}

export interface ConsentMetrics extends ConsentEvents {
  readonly service: ServiceMetrics;
  readonly http: HttpMetrics;
}

export function createConsentMetrics(feed: Pick<RevisionFeed, "subscribers">, service: ServiceMetrics = createServiceMetrics("consent-engine")): ConsentMetrics {
  const registers = [service.registry];
  const checks = new Counter({
    name: "ndx_consent_check_results_total",
    help: "Consent checks answered, by result (covered, partial, missing)",
    labelNames: ["result"] as const,
    registers,
  });
  const changes = new Counter({
    name: "ndx_consent_changes_total",
    help: "Consents granted, rejected, revoked or expired, by where the change came from (portal, api, system)",
    labelNames: ["change", "via"] as const,
    registers,
  });
  const opened = new Counter({
    name: "ndx_consent_requests_opened_total",
    help: "Consent requests opened (created) or answered with an identical open one (reused)",
    labelNames: ["result"] as const,
    registers,
  });
  new Gauge({
    name: "ndx_consent_revision_subscribers",
    help: "Revision stream subscribers (gateways following grants and revocations) connected now",
    registers,
    collect() {
      this.set(feed.subscribers);
    },
  });
  for (const result of ["covered", "partial", "missing"] as const) checks.inc({ result }, 0);
  for (const change of ["granted", "rejected", "revoked"] as const) for (const via of ["portal", "api"] as const) changes.inc({ change, via }, 0);
  changes.inc({ change: "expired", via: "system" }, 0);
  return {
    service,
    http: createHttpMetrics(service),
    checked: (result) => checks.inc({ result }),
    changed: (change, via, count = 1) => changes.inc({ change, via }, count),
    opened: (created) => opened.inc({ result: created ? "created" : "reused" }),
  };
}
