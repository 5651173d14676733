/** Reading audit rows back into events, exactly as they were hashed. */
import type { FieldAccess } from "@ndx/policy";
import type { AuditContent, ChainedEvent, OutcomeEntry } from "./auditEvent.ts";

export const auditColumns = `chain, seq, id, at, kind, trace_id, caller, consumer, purpose, operation_name, subjects,
  fields, consent_ids, policy_revision, decision, reasons, decision_id, outcome, outcomes, prev_hash, hash`;

export interface AuditRow {
  chain: string;
  seq: string | number;
  id: string;
  at: Date | string;
  kind: AuditContent["kind"];
  trace_id: string;
  caller: AuditContent["caller"];
  consumer: string | null;
  purpose: string | null;
  operation_name: string | null;
  subjects: string[];
  fields: FieldAccess[] | string;
  consent_ids: string[];
  policy_revision: string | null;
  decision: AuditContent["decision"];
  reasons: string[] | string;
  decision_id: string | null;
  outcome: AuditContent["outcome"];
  outcomes: OutcomeEntry[] | string | null;
  prev_hash: string;
  hash: string;
}

const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

export function eventFromRow(row: AuditRow): ChainedEvent {
  return {
    chain: row.chain,
    seq: Number(row.seq),
    id: row.id,
    at: (row.at instanceof Date ? row.at : new Date(row.at)).toISOString(),
    kind: row.kind,
    traceId: row.trace_id,
    caller: row.caller,
    consumer: row.consumer,
    purpose: row.purpose,
    operationName: row.operation_name,
    subjects: row.subjects,
    fields: json(row.fields),
    consentIds: row.consent_ids,
    policyRevision: row.policy_revision,
    decision: row.decision,
    reasons: json(row.reasons),
    decisionId: row.decision_id,
    outcome: row.outcome,
    // Absent, not null, when there are none: that is how the event was hashed.
    ...(row.outcomes === null ? {} : { outcomes: json(row.outcomes) }),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
