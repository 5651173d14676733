/** What one audit write holds: the waiting outcomes as one event listing them, and the batch chained onto the head. */
import { randomUUID } from "node:crypto";
import { chainHash, type AuditContent, type ChainedEvent, type OutcomeEntry } from "./auditEvent.ts";
import type { ChainHead } from "./auditInsert.ts";

/** One outcome event for the outcomes waiting at a write. */
export const outcomesEvent = (entries: readonly OutcomeEntry[]): AuditContent => ({
  id: randomUUID(),
  at: new Date().toISOString(),
  kind: "outcome",
  // A batch belongs to no single request: each entry carries its request's trace id.
  traceId: "",
  caller: null,
  consumer: null,
  purpose: null,
  operationName: null,
  subjects: [],
  fields: [],
  consentIds: [],
  policyRevision: null,
  decision: null,
  reasons: [],
  decisionId: null,
  outcome: null,
  outcomes: entries,
});

/** The events chained after `head`, and the head they leave once stored. */
export function chainBatch(chain: string, head: ChainHead, contents: readonly AuditContent[]): { events: ChainedEvent[]; last: ChainHead } {
  let seq = head.seq;
  let prevHash = head.hash;
  const events = contents.map((content): ChainedEvent => {
    seq += 1;
    const hash = chainHash(chain, seq, prevHash, content);
    const event = { ...content, chain, seq, prevHash, hash };
    prevHash = hash;
    return event;
  });
  return { events, last: { seq, hash: prevHash } };
}
