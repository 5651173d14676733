/** The faults the DRP simulator can act out for tests. */
import { baseFaultProblem, type BaseFault } from "@ndx/simulator-kit";

export const drpOperations = ["getPerson", "batchLookup"] as const;
export type DrpOperation = (typeof drpOperations)[number];

export interface DrpFault extends BaseFault {
  readonly operation?: DrpOperation | undefined;
  /** Answer with this HTTP status (400–599) and an error body full of internals an adapter must never pass on. */
  readonly status?: number | undefined;
  /** With a status: the Retry-After header, in seconds. */
  readonly retryAfterSeconds?: number | undefined;
  /** A broken answer with HTTP 200: invalid JSON, JSON of the wrong shape, HTML, or a body over 2 MiB. */
  readonly body?: "bad-json" | "wrong-shape" | "html" | "oversized" | undefined;
}

const bodies = ["bad-json", "wrong-shape", "html", "oversized"];

/** The `fault` label of ndx_simulator_requests_total: what the fault acts out, `latency` when it only delays. */
export function drpFaultLabel(fault: DrpFault | undefined): string {
  if (fault === undefined) return "none";
  if (fault.status !== undefined) return `status_${fault.status}`;
  if (fault.body !== undefined) return `body_${fault.body}`;
  return fault.latencyMs === undefined ? "none" : "latency";
}

export function parseDrpFault(value: unknown): DrpFault | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a fault is a JSON object";
  const v = value as Record<string, unknown>;
  const base = baseFaultProblem(v, drpOperations);
  if (base !== undefined) return base;
  if (v["status"] !== undefined && !(Number.isInteger(v["status"]) && (v["status"] as number) >= 400 && (v["status"] as number) <= 599)) {
    return "status must be an HTTP error status (400-599)";
  }
  if (v["retryAfterSeconds"] !== undefined && !(Number.isInteger(v["retryAfterSeconds"]) && (v["retryAfterSeconds"] as number) >= 0)) {
    return "retryAfterSeconds must be a non-negative integer";
  }
  if (v["body"] !== undefined && !bodies.includes(v["body"] as string)) return `body must be one of ${bodies.join(", ")}`;
  return v;
}
