/**
 * The gateway's `GET /audit/summary?days=N` answer (gateway/src/audit/auditSummary.ts), which the admin console's
 * charts draw: per UTC day over the last N days, the gateway's decisions per consumer application and by kind, and
 * the consent engine's answers. No citizen id is in it. The gateway builds it as an {@link AuditSummary}; the console
 * reads it with {@link parseAuditSummary}, so a changed answer shows as "not understood" rather than as wrong figures.
 */
import type { JSONSchemaType } from "ajv";
import { contract, type Parsed } from "./contract.ts";

export const decisionKinds = ["permit", "consent_required", "forbidden", "unauthenticated", "bad_request", "unavailable"] as const;
export const consentAnswerKinds = ["granted", "denied", "revoked", "expired"] as const;
/** What the gateway decided about a request (the audit event's `decision`). */
export type DecisionKind = (typeof decisionKinds)[number];
export type ConsentAnswerKind = (typeof consentAnswerKinds)[number];

/** Every list of counts is aligned with `dates` (oldest first). */
export interface AuditSummary {
  /** The window, in days (1–90). */
  readonly days: number;
  /** YYYY-MM-DD (UTC), oldest first, one per day of the window (today last). */
  readonly dates: readonly string[];
  /** Decisions about consumer applications' requests, per application (most requests first). */
  readonly requests: readonly { readonly application: string; readonly counts: readonly number[] }[];
  /** Every decision of the gateway (staff and anonymous callers too), by kind. */
  readonly decisions: Readonly<Record<DecisionKind, readonly number[]>>;
  /** The consent engine's answers by kind, or why they are missing (the gateway's own figures still come). */
  readonly consent:
    | { readonly available: true; readonly answers: Readonly<Record<ConsentAnswerKind, readonly number[]>> }
    | { readonly available: false; readonly reason: string };
  /** ISO 8601: when the figures were read. */
  readonly generatedAt: string;
}

const counts = { type: "array", items: { type: "integer", minimum: 0 } } as const;
const byKind = <K extends string>(kinds: readonly K[]) =>
  ({ type: "object", required: [...kinds], properties: Object.fromEntries(kinds.map((k) => [k, counts])) }) as const;

const schema = {
  type: "object",
  required: ["days", "dates", "requests", "decisions", "consent", "generatedAt"],
  properties: {
    days: { type: "integer", minimum: 1, maximum: 90 },
    dates: { type: "array", items: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } },
    requests: {
      type: "array",
      items: { type: "object", required: ["application", "counts"], properties: { application: { type: "string" }, counts } },
    },
    decisions: byKind(decisionKinds),
    consent: {
      type: "object",
      oneOf: [
        {
          type: "object",
          required: ["available", "answers"],
          properties: { available: { type: "boolean", const: true }, answers: byKind(consentAnswerKinds) },
        },
        { type: "object", required: ["available", "reason"], properties: { available: { type: "boolean", const: false }, reason: { type: "string" } } },
      ],
    },
    generatedAt: { type: "string", format: "date-time" },
  },
} as unknown as JSONSchemaType<AuditSummary>;

/** The shape alone (each field's type); {@link parseAuditSummary} also checks that the counts align with the dates. */
export const auditSummary = contract<AuditSummary>("audit summary", schema);

/** An audit summary whose every list of counts has one count per date, or why it is not one. */
export function parseAuditSummary(value: unknown): Parsed<AuditSummary> {
  const parsed = auditSummary.parse(value);
  if (!parsed.ok) return parsed;
  const s = parsed.value;
  const n = s.dates.length;
  if (s.days !== n) return { ok: false, problem: `/dates has ${n} days, not ${s.days}` };
  const consent = s.consent;
  const lists: [string, readonly number[]][] = [
    ...s.requests.map((r, i) => [`/requests/${i}/counts`, r.counts] as [string, readonly number[]]),
    ...decisionKinds.map((k) => [`/decisions/${k}`, s.decisions[k]] as [string, readonly number[]]),
    ...(consent.available ? consentAnswerKinds.map((k) => [`/consent/answers/${k}`, consent.answers[k]] as [string, readonly number[]]) : []),
  ];
  const wrong = lists.find(([, list]) => list.length !== n);
  return wrong === undefined ? parsed : { ok: false, problem: `${wrong[0]} has ${wrong[1].length} counts for ${n} dates` };
}
