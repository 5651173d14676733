/**
 * An audit event and its place in the hash chain. The hash covers the previous hash and a canonical JSON of every
 * stored column, so verification can rebuild it from the row alone.
 */
import { createHash } from "node:crypto";
import { rememberFrozen, type FieldAccess } from "@ndx/policy";

/** `unavailable`: refused because a part NDX depends on (consent engine, identity provider) did not answer. */
export type AuditDecision = "permit" | "consent_required" | "forbidden" | "unauthenticated" | "bad_request" | "unavailable";

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
  /**
   * For an outcome event written for a batch: the outcomes of the decisions it completes (decisionId and outcome
   * are then null). Absent on every other event, so events from before it was added hash as they did.
   */
  readonly outcomes?: readonly OutcomeEntry[];
}

/** One decision's outcome inside a batched outcome event (`AuditContent.outcomes`). */
export interface OutcomeEntry {
  readonly decisionId: string;
  readonly traceId: string;
  readonly outcome: "ok" | "partial" | "error";
  /** Error codes of a partial or failed execution. */
  readonly reasons: readonly string[];
  /**
   * What an administrative mutation changed, as the subgraph that made the change reported it (the exchange's
   * `extensions.ndxAudit`; auditChanges.ts). Absent when nothing was reported, so outcomes from before it was added
   * hash as they did: the entry's shape is its version.
   */
  readonly changes?: readonly AuditChange[];
}

/** One change an administrative action made: who made it is the decision's caller, under the same trace. */
export interface AuditChange {
  /** The subgraph that made and reported it, e.g. exchange. */
  readonly provider: string;
  /** What was done, e.g. suspendApplication. */
  readonly action: string;
  /** What it was done to, e.g. application:benefits-app; null when the subgraph names nothing. */
  readonly target: string | null;
  /** The state before and after (JSON), null where there was none (a creation, a deletion). */
  readonly before: unknown;
  readonly after: unknown;
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
  return createHash("sha256").update(prevHash).update("\n").update(hashedJson(chain, seq, content)).digest("hex");
}

// The event's keys with chain and seq, sorted as canonicalJson sorts them.
const hashedKeys = [
  "at", "caller", "chain", "consentIds", "consumer", "decision", "decisionId", "fields", "id", "kind",
  "operationName", "outcome", "policyRevision", "purpose", "reasons", "seq", "subjects", "traceId",
] as const;
const contentKeyCount = hashedKeys.length - 2;
const fieldKeys = ["classification", "field", "provider"] as const;

/**
 * `canonicalJson({ chain, seq, ...content })`, the same bytes, without sorting keys for every event: the shape is
 * known. Anything else (an extra or undefined key) takes the generic path.
 */
export function hashedJson(chain: string, seq: number, content: AuditContent): string {
  const record = content as unknown as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== contentKeyCount || keys.includes("chain") || keys.includes("seq")) return canonicalJson({ chain, seq, ...content });
  const all: Record<string, unknown> = { ...record, chain, seq };
  let out = "{";
  for (const key of hashedKeys) {
    const value = all[key];
    if (value === undefined) return canonicalJson({ chain, seq, ...content });
    out += `${out.length > 1 ? "," : ""}"${key}":${key === "fields" ? fieldsJson(value) : canonicalJson(value)}`;
  }
  return `${out}}`;
}

// A scope's field lists are frozen and shared by the requests of one shape: each is serialised once.
const fieldListJson = rememberFrozen((value: readonly unknown[]): string => {
  let out = "[";
  for (const item of value as Record<string, unknown>[]) {
    if (out.length > 1) out += ",";
    const plain = item !== null && typeof item === "object" && Object.keys(item).length === 3 && fieldKeys.every((k) => typeof item[k] === "string");
    out += plain
      ? `{"classification":${JSON.stringify(item["classification"])},"field":${JSON.stringify(item["field"])},"provider":${JSON.stringify(item["provider"])}}`
      : canonicalJson(item);
  }
  return `${out}]`;
});

/** `canonicalJson(fields)` for a list of field accesses; a list frozen all the way down is serialised once. */
export function fieldsJson(value: unknown): string {
  return Array.isArray(value) ? fieldListJson(value) : canonicalJson(value);
}
