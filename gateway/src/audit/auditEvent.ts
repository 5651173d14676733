/**
 * An audit event and its place in the hash chain. The hash covers the previous hash and a canonical JSON of every
 * stored column, so verification can rebuild it from the row alone.
 */
import { hash } from "node:crypto";
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
  // One-shot: the same digest as a Hash object fed prevHash, "\n" and the JSON, without the object (~0.4 µs an event).
  return hash("sha256", `${prevHash}\n${hashedJson(chain, seq, content)}`, "hex");
}

// The event's keys with chain and seq, sorted as canonicalJson sorts them; `outcomes` only on a batched outcome event.
const hashedKeys = [
  "at", "caller", "chain", "consentIds", "consumer", "decision", "decisionId", "fields", "id", "kind",
  "operationName", "outcome", "outcomes", "policyRevision", "purpose", "reasons", "seq", "subjects", "traceId",
] as const;
const fieldKeys = ["classification", "field", "provider"] as const;

/**
 * `canonicalJson({ chain, seq, ...content })`, the same bytes, without sorting keys for every event: the shape is
 * known. Anything else (an extra or undefined key, a value of another type) takes the generic path.
 */
export function hashedJson(chain: string, seq: number, content: AuditContent): string {
  const record = content as unknown as Record<string, unknown>;
  const keys = Object.keys(record);
  const withOutcomes = Object.hasOwn(record, "outcomes");
  const generic = () => canonicalJson({ chain, seq, ...content });
  if (keys.length !== hashedKeys.length - (withOutcomes ? 2 : 3) || Object.hasOwn(record, "chain") || Object.hasOwn(record, "seq")) {
    return generic();
  }
  let out = "{";
  for (const key of hashedKeys) {
    if (key === "outcomes" && !withOutcomes) continue;
    const value = key === "chain" ? chain : key === "seq" ? seq : record[key];
    const json = key === "fields" ? fieldsJson(value) : key === "outcomes" ? outcomesJson(value) : flatJson(value);
    if (json === undefined) return generic();
    out += `${out.length > 1 ? "," : ""}"${key}":${json}`;
  }
  return `${out}}`;
}

/** canonicalJson of a string, number, null or array of strings; undefined for anything else (absent included). */
function flatJson(value: unknown): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "number") return JSON.stringify(value);
  if (!Array.isArray(value)) return undefined;
  // Index by index: a hole is not a string, so a sparse array goes the generic way too.
  for (let i = 0; i < value.length; i += 1) if (typeof value[i] !== "string") return undefined;
  return JSON.stringify(value);
}

const outcomeKeys = ["decisionId", "outcome", "reasons", "traceId"] as const;

/** canonicalJson of a batch's outcome entries; an entry with changes (or any other shape) is sorted the generic way. */
function outcomesJson(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  let out = "[";
  for (let i = 0; i < value.length; i += 1) {
    const entry: unknown = value[i];
    if (i > 0) out += ",";
    out += knownObjectJson(entry, outcomeKeys) ?? canonicalJson(entry);
  }
  return `${out}]`;
}

/** canonicalJson of an object whose keys are exactly `keys` (sorted) and whose values are flat; undefined otherwise. */
function knownObjectJson(value: unknown, keys: readonly string[]): string | undefined {
  if (value === null || typeof value !== "object" || Object.keys(value).length !== keys.length) return undefined;
  const record = value as Record<string, unknown>;
  let out = "{";
  for (const key of keys) {
    const json = flatJson(record[key]);
    if (json === undefined) return undefined;
    out += `${out.length > 1 ? "," : ""}"${key}":${json}`;
  }
  return `${out}}`;
}

// A scope's field lists are frozen and shared by the requests of one shape: each is serialised once.
const fieldListJson = rememberFrozen((value: readonly unknown[]): string => {
  let out = "[";
  for (const item of value) {
    if (out.length > 1) out += ",";
    out += knownObjectJson(item, fieldKeys) ?? canonicalJson(item);
  }
  return `${out}]`;
});

/** `canonicalJson(fields)` for a list of field accesses; a list frozen all the way down is serialised once. */
export function fieldsJson(value: unknown): string {
  return Array.isArray(value) ? fieldListJson(value) : canonicalJson(value);
}
