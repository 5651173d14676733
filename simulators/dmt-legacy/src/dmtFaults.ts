/** The faults the DMT simulator can act out for tests. */
import { baseFaultProblem, type BaseFault } from "@ndx/simulator-kit";
import type { DmtOperation } from "./contract.ts";

export const dmtFaultOperations: readonly DmtOperation[] = ["GetVehiclesByOwner", "GetVehicleByRegNo"];

export interface DmtFault extends BaseFault {
  readonly operation?: DmtOperation | undefined;
  /** A plain HTTP error (as a proxy in front of the service would answer): this status, an HTML body. */
  readonly status?: number | undefined;
  /** A SOAP Fault whose faultstring and detail hold internals an adapter must never pass on. */
  readonly soapFault?: "server" | "client" | undefined;
  /**
   * A broken answer with HTTP 200: ill-formed XML, an XXE payload (external entity), an entity-expansion bomb,
   * a document over 2 MiB, a SOAP envelope of the wrong shape, or something that is not SOAP at all.
   */
  readonly body?: "malformed-xml" | "xxe" | "entity-bomb" | "oversized" | "wrong-shape" | "not-soap" | undefined;
}

const bodies = ["malformed-xml", "xxe", "entity-bomb", "oversized", "wrong-shape", "not-soap"];

/** The `fault` label of ndx_simulator_requests_total: what the fault acts out, `latency` when it only delays. */
export function dmtFaultLabel(fault: DmtFault | undefined): string {
  if (fault === undefined) return "none";
  if (fault.status !== undefined) return `status_${fault.status}`;
  if (fault.soapFault !== undefined) return `soap_fault_${fault.soapFault}`;
  if (fault.body !== undefined) return `body_${fault.body}`;
  return fault.latencyMs === undefined ? "none" : "latency";
}

export function parseDmtFault(value: unknown): DmtFault | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a fault is a JSON object";
  const v = value as Record<string, unknown>;
  const base = baseFaultProblem(v, dmtFaultOperations);
  if (base !== undefined) return base;
  if (v["status"] !== undefined && !(Number.isInteger(v["status"]) && (v["status"] as number) >= 400 && (v["status"] as number) <= 599)) {
    return "status must be an HTTP error status (400-599)";
  }
  if (v["soapFault"] !== undefined && v["soapFault"] !== "server" && v["soapFault"] !== "client") return "soapFault must be server or client";
  if (v["body"] !== undefined && !bodies.includes(v["body"] as string)) return `body must be one of ${bodies.join(", ")}`;
  return v;
}
