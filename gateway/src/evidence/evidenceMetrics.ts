/**
 * The evidence instruments, on the gateway's registry: `ndx_audit_checkpoints_total{event}` (signed, time_stamped,
 * time_stamp_failed) and `ndx_evidence_refusals_total`: requests for personal data refused with EVIDENCE_UNAVAILABLE
 * because no checkpoint was time-stamped for AUDIT_TIMESTAMP_MAX_AGE_MS.
 */
import { Counter, type ServiceMetrics } from "@ndx/platform";
import type { CheckpointEvent } from "./checkpointWriter.ts";

export interface EvidenceMetrics {
  checkpoint(event: CheckpointEvent): void;
  evidenceRefused(): void;
}

export function createEvidenceMetrics(service: ServiceMetrics): EvidenceMetrics {
  const registers = [service.registry];
  const checkpoints = new Counter({
    name: "ndx_audit_checkpoints_total",
    help: "Audit checkpoints signed, and their time-stamps got or missed",
    labelNames: ["event"] as const,
    registers,
  });
  const refusals = new Counter({
    name: "ndx_evidence_refusals_total",
    help: "Requests for personal data refused (EVIDENCE_UNAVAILABLE) because no audit checkpoint was time-stamped for too long",
    registers,
  });
  for (const event of ["signed", "time_stamped", "time_stamp_failed"] as const) checkpoints.inc({ event }, 0);
  return { checkpoint: (event) => checkpoints.inc({ event }), evidenceRefused: () => refusals.inc() };
}
