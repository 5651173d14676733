/**
 * What one audit write holds: the waiting outcomes as one event listing them, and the batch chained onto the head;
 * and what is said about outcomes that could not be written at all.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@ndx/platform";
import { chainHash, type AuditChange, type AuditContent, type ChainedEvent, type OutcomeEntry } from "./auditEvent.ts";
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

/**
 * An outcome as PostgreSQL's jsonb can hold it: a NUL (from an upstream's error code) would make every retry of the
 * batch fail, so it is replaced.
 */
export function storable(entry: OutcomeEntry): OutcomeEntry {
  const nul = (s: string) => s.includes("\u0000");
  // A reported change is looked at whole: its before/after are whatever JSON the subgraph sent.
  if (!nul(entry.traceId) && !entry.reasons.some(nul) && (entry.changes === undefined || !holdsNul(entry.changes))) return entry;
  const clean = (s: string) => s.replaceAll("\u0000", "\uFFFD");
  const cleaned = { ...entry, traceId: clean(entry.traceId), reasons: entry.reasons.map(clean) };
  return entry.changes === undefined ? cleaned : { ...cleaned, changes: withoutNul(entry.changes) as readonly AuditChange[] };
}

const holdsNul = (value: unknown): boolean =>
  typeof value === "string"
    ? value.includes("\u0000")
    : typeof value === "object" && value !== null && Object.entries(value).some(([k, v]) => k.includes("\u0000") || holdsNul(v));

const withoutNul = (value: unknown): unknown => {
  if (typeof value === "string") return value.replaceAll("\u0000", "\uFFFD");
  if (Array.isArray(value)) return value.map(withoutNul);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll("\u0000", "\uFFFD"), withoutNul(v)]));
};

/**
 * A failed write as it may be logged and handed to callers: the driver's message and SQLSTATE only. A PostgreSQL
 * error's `detail` can hold the failing row ("Failing row contains (... 199012345678 ...)"), a citizen's NIC.
 */
export function writeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error("the audit write failed");
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  return Object.assign(new Error(error.message), { name: "AuditWriteError" }, code === undefined ? {} : { code });
}

/** Outcomes `flush()` gave up on: logged in full at fatal level (to stderr without a logger), the only place they remain. */
export function logLost(logger: Logger | undefined, outcomes: readonly OutcomeEntry[], decisions: number, inUnansweredWrite: number): void {
  if (outcomes.length === 0 && decisions === 0) return;
  const line = { outcomes, decisions, inUnansweredWrite };
  const message = `audit: ${outcomes.length} outcome(s) NOT written to the trail at shutdown (listed here only)`;
  if (logger === undefined) process.stderr.write(`${JSON.stringify({ level: "fatal", msg: message, ...line })}\n`);
  else logger.fatal(line, message);
}
