/**
 * The gateway's GET /audit/summary answer (gateway/src/audit/auditSummary.ts), as the console reads it: checked
 * before use, so a changed answer shows as "not understood" rather than as wrong figures.
 */

export const decisionKinds = ["permit", "consent_required", "forbidden", "unauthenticated", "bad_request", "unavailable"] as const;
export const consentAnswerKinds = ["granted", "denied", "revoked", "expired"] as const;
export type DecisionKind = (typeof decisionKinds)[number];
export type ConsentAnswerKind = (typeof consentAnswerKinds)[number];

export interface AuditSummary {
  readonly days: number;
  /** YYYY-MM-DD (UTC), oldest first; every list of counts is aligned with it. */
  readonly dates: readonly string[];
  readonly requests: readonly { readonly application: string; readonly counts: readonly number[] }[];
  readonly decisions: Readonly<Record<DecisionKind, readonly number[]>>;
  readonly consent:
    | { readonly available: true; readonly answers: Readonly<Record<ConsentAnswerKind, readonly number[]>> }
    | { readonly available: false; readonly reason: string };
  readonly generatedAt: string;
}

const isCounts = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((c) => typeof c === "number" && Number.isInteger(c) && c >= 0);

const isRecordOf = (v: unknown, keys: readonly string[], n: number): boolean =>
  typeof v === "object" && v !== null && keys.every((k) => isCounts((v as Record<string, unknown>)[k], n));

export function readAuditSummary(body: unknown): AuditSummary | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const s = body as Record<string, unknown>;
  const dates = s["dates"];
  if (!Array.isArray(dates) || !dates.every((d) => typeof d === "string" && /^\d{4}-\d{2}-\d{2}$/.test(d))) return undefined;
  const n = dates.length;
  const requests = s["requests"];
  if (!Array.isArray(requests)) return undefined;
  for (const r of requests as Record<string, unknown>[]) {
    if (typeof r?.["application"] !== "string" || !isCounts(r["counts"], n)) return undefined;
  }
  if (!isRecordOf(s["decisions"], decisionKinds, n)) return undefined;
  const consent = s["consent"] as Record<string, unknown> | null | undefined;
  if (consent?.["available"] === true) {
    if (!isRecordOf(consent["answers"], consentAnswerKinds, n)) return undefined;
  } else if (consent?.["available"] !== false || typeof consent["reason"] !== "string") return undefined;
  if (typeof s["days"] !== "number" || typeof s["generatedAt"] !== "string") return undefined;
  return body as AuditSummary;
}
