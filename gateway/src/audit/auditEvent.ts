/**
 * An audit event and its place in the hash chain. The hash covers the previous hash and a canonical JSON of every
 * stored column, so verification can rebuild it from the row alone.
 */
import { createHash } from "node:crypto";
import type { FieldAccess } from "@ndx/policy";

export type AuditDecision = "permit" | "consent_required" | "forbidden" | "unauthenticated" | "bad_request";

export interface AuditContent {
  readonly id: string;
  /** ISO 8601, millisecond precision. */
  readonly at: string;
  readonly kind: "decision" | "outcome";
  readonly traceId: string;
  readonly caller: "consumer" | "staff" | "citizen" | null;
  /** Consumer application id, or the staff user for writes. */
  readonly consumer: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly subjects: readonly string[];
  readonly fields: readonly FieldAccess[];
  readonly consentIds: readonly string[];
  readonly policyRevision: string | null;
  readonly decision: AuditDecision | null;
  readonly reasons: readonly string[];
  /** For an outcome: the decision it completes. */
  readonly decisionId: string | null;
  /** For an outcome: ok, partial (some providers failed) or error. */
  readonly outcome: "ok" | "partial" | "error" | null;
}

export interface ChainedEvent extends AuditContent {
  readonly chain: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const genesisHash = "0".repeat(64);

/** JSON with object keys sorted at every level: the same content always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function chainHash(chain: string, seq: number, prevHash: string, content: AuditContent): string {
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson({ chain, seq, ...content }))
    .digest("hex");
}
