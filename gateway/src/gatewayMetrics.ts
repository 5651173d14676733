/**
 * The gateway's own instruments, on its service registry: access decisions by outcome, consent checks and cache
 * hits, audit write latency, and upstream (subgraph) calls by provider and outcome.
 */
import { Counter, Gauge, Histogram, type ServiceMetrics } from "@ndx/platform";
import type { AuditDecision } from "./audit/auditEvent.ts";
import { createEvidenceMetrics, type EvidenceMetrics } from "./evidence/evidenceMetrics.ts";

export interface GatewayMetrics {
  decision(decision: AuditDecision): void;
  consentCheck(cached: boolean): void;
  auditWrite(seconds: number, events: number): void;
  upstream(provider: string, outcome: "ok" | "error" | "timeout"): void;
  /** A request refused right after authentication: `consumer` is the consumer id (a person's kind, never their id). */
  turnedAway(consumer: string, reason: "rate_limited" | "untrusted_document"): void;
  /** Where the exchange's register stands, read at each scrape: the revision applied, and seconds since it was known current. */
  followRegister(state: () => { readonly revision: number; readonly staleSeconds: number }): void;
  /** Audit checkpoints and refusals for missing time-stamps (evidence/evidenceMetrics.ts). */
  readonly evidence: EvidenceMetrics;
}

export function createGatewayMetrics(service: ServiceMetrics): GatewayMetrics {
  const registers = [service.registry];
  const decisions = new Counter({
    name: "ndx_access_decisions_total",
    help: "Access decisions by outcome (permit, consent_required, forbidden, unauthenticated, bad_request, unavailable)",
    labelNames: ["decision"] as const,
    registers,
  });
  const consent = new Counter({
    name: "ndx_consent_checks_total",
    help: "Consent checks, answered from the cache or by the consent engine",
    labelNames: ["source"] as const,
    registers,
  });
  const audit = new Histogram({
    name: "ndx_audit_write_seconds",
    help: "Time to store one batch of audit events",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers,
  });
  const auditEvents = new Counter({ name: "ndx_audit_events_total", help: "Audit events stored", registers });
  const upstream = new Counter({
    name: "ndx_upstream_calls_total",
    help: "Subgraph calls by provider and outcome",
    labelNames: ["provider", "outcome"] as const,
    registers,
  });
  const turnedAway = new Counter({
    name: "ndx_requests_turned_away_total",
    help: "Requests refused after authentication, before any access decision: over the rate limit, or not a trusted document",
    labelNames: ["consumer", "reason"] as const,
    registers,
  });
  let register: () => { readonly revision: number; readonly staleSeconds: number } = () => ({ revision: -1, staleSeconds: Number.POSITIVE_INFINITY });
  new Gauge({
    name: "ndx_exchange_register_revision",
    help: "The exchange register revision whose grants and suspensions the policy applies (-1: none yet)",
    registers,
    collect() {
      this.set(register().revision);
    },
  });
  new Gauge({
    name: "ndx_exchange_register_staleness_seconds",
    help: "Seconds since the register applied was last known current; consumers are refused past the stream's deadline (1 s by default)",
    registers,
    collect() {
      this.set(register().staleSeconds);
    },
  });
  for (const d of ["permit", "consent_required", "forbidden", "unauthenticated", "bad_request", "unavailable"] as const) decisions.inc({ decision: d }, 0);
  return {
    decision: (d) => decisions.inc({ decision: d }),
    consentCheck: (cached) => consent.inc({ source: cached ? "cache" : "engine" }),
    auditWrite: (seconds, events) => {
      audit.observe(seconds);
      auditEvents.inc(events);
    },
    upstream: (provider, outcome) => upstream.inc({ provider, outcome }),
    turnedAway: (consumer, reason) => turnedAway.inc({ consumer, reason }),
    followRegister: (state) => {
      register = state;
    },
    evidence: createEvidenceMetrics(service),
  };
}
