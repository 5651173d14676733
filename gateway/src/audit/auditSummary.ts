/**
 * GET /audit/summary?days=N — the figures of the admin console's charts, per UTC day over the last N days (1–90,
 * default 14; today included): decisions per consumer application, decisions by kind, and the consent engine's
 * answers (granted, denied, revoked, expired; its GET /v1/consents/summary). No citizen id is in it.
 *
 * Who may read it is the Rego policy's decision, as for every GraphQL operation: a token verified by the gateway's
 * own authenticator, then the policy evaluated for operation `report` named `auditSummary` (data.json's `reports`:
 * the `exchange_admin` role). The code also keeps non-staff callers out, as defence in depth only. The wire shape is
 * `AuditSummary` of @ndx/contracts (the console parses it with the same contract). If the consent engine cannot
 * answer, the gateway's own figures still come back, with the consent part marked unavailable. Answers are kept for
 * `cacheMs`, per N, so a console's reloads cost no new scan of the trail.
 */
import { consentAnswerKinds, decisionKinds, type AuditSummary, type ConsentAnswerKind, type DecisionKind } from "@ndx/contracts";
import { endpointError, methodNotAllowed, type Queryable } from "@ndx/platform";
import type { AccessPolicy } from "@ndx/policy";
import { createReportAccess } from "../access/reportAccess.ts";
import type { Authenticator } from "../access/consumerAuth.ts";

/** The report's name in the policy (data.json `reports`). */
const report = "auditSummary";

export interface AuditSummaryOptions {
  readonly db: Queryable;
  /** The gateway's authenticator (the access plugin's). */
  readonly authenticator: Authenticator;
  /** The policy in force (the access plugin's): it decides who may read the summary. */
  readonly policy: { readonly current: AccessPolicy };
  /** The exchange's time zone, for the policy's `input.time`. @default "UTC" */
  readonly timezone?: string;
  /** The consent engine's base URL. */
  readonly consentEngineUrl: string;
  /** The gateway's service token at the consent engine. */
  readonly consentServiceToken: string;
  /** @default 10000 */
  readonly cacheMs?: number;
  /** How long to wait for the consent engine. @default 3000 */
  readonly consentTimeoutMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const dayMs = 86_400_000;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The window's days, oldest first, ending with today (UTC). */
export function windowDates(days: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => isoDay(today - (days - 1 - i) * dayMs));
}

/**
 * The decisions since $1, per UTC day, caller, consumer and decision: an index-only scan of the window's decisions
 * (migration 004_audit_summary_index.sql), never of the whole trail.
 */
export const decisionSummarySql = `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, caller, consumer, decision, count(*)::int AS n
     FROM audit_event WHERE kind = 'decision' AND at >= $1
     GROUP BY 1, 2, 3, 4`;

/** The gateway's part: decisions per application and per kind, from the audit trail. */
async function summarizeDecisions(db: Queryable, dates: readonly string[]): Promise<Pick<AuditSummary, "requests" | "decisions">> {
  const from = new Date(`${dates[0] ?? ""}T00:00:00.000Z`);
  const { rows } = await db.query<{ day: string; caller: string | null; consumer: string | null; decision: string | null; n: number }>(
    decisionSummarySql,
    [from],
  );
  const index = new Map(dates.map((d, i) => [d, i]));
  const zeros = () => dates.map(() => 0);
  const decisions = Object.fromEntries(decisionKinds.map((k) => [k, zeros()])) as Record<DecisionKind, number[]>;
  const perApplication = new Map<string, number[]>();
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    const kind = decisions[row.decision as DecisionKind] as number[] | undefined;
    if (kind !== undefined) kind[i] = (kind[i] ?? 0) + row.n;
    if (row.caller === "consumer" && row.consumer !== null) {
      const counts = perApplication.get(row.consumer) ?? zeros();
      counts[i] = (counts[i] ?? 0) + row.n;
      perApplication.set(row.consumer, counts);
    }
  }
  const total = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);
  const requests = [...perApplication]
    .map(([application, counts]) => ({ application, counts }))
    .sort((a, b) => total(b.counts) - total(a.counts) || a.application.localeCompare(b.application));
  return { requests, decisions };
}

const count = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 0);

/**
 * The consent engine's answers per day, aligned with `dates`. Its answer (consent-engine/src/consentSummary.ts) lists
 * days as `{ byDay: [{ date: "YYYY-MM-DD", granted, denied, revoked, expired, ... }] }`; a day it does not list counts 0.
 */
async function fetchConsentAnswers(
  options: Pick<AuditSummaryOptions, "consentEngineUrl" | "consentServiceToken" | "consentTimeoutMs">,
  dates: readonly string[],
): Promise<AuditSummary["consent"]> {
  const url = new URL(`/v1/consents/summary?days=${dates.length}`, options.consentEngineUrl);
  let body: unknown;
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${options.consentServiceToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(options.consentTimeoutMs ?? 3000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { available: false, reason: `the consent engine answered HTTP ${response.status}` };
    }
    body = await response.json();
  } catch {
    return { available: false, reason: "the consent engine could not be reached" };
  }
  const days = (body as { byDay?: unknown } | null)?.byDay;
  if (!Array.isArray(days)) return { available: false, reason: "the consent engine's answer was not understood" };
  const index = new Map(dates.map((d, i) => [d, i]));
  const answers = Object.fromEntries(consentAnswerKinds.map((k) => [k, dates.map(() => 0)])) as Record<ConsentAnswerKind, number[]>;
  for (const day of days as Record<string, unknown>[]) {
    const i = typeof day["date"] === "string" ? index.get(day["date"]) : undefined;
    if (i === undefined) continue;
    for (const kind of consentAnswerKinds) answers[kind][i] = count(day[kind]);
  }
  return { available: true, answers };
}

/** A fetch-style handler: a Response for GET /audit/summary, undefined for any other path. */
export function createAuditSummary(options: AuditSummaryOptions): (request: Request) => Promise<Response | undefined> {
  const now = options.now ?? (() => new Date());
  const authorize = createReportAccess(options);
  const cacheMs = options.cacheMs ?? 10_000;
  const cache = new Map<number, { at: number; answer: Promise<AuditSummary> }>();

  async function summarize(days: number): Promise<AuditSummary> {
    const at = now();
    const dates = windowDates(days, at);
    const [gateway, consent] = await Promise.all([summarizeDecisions(options.db, dates), fetchConsentAnswers(options, dates)]);
    return { days, dates, ...gateway, consent, generatedAt: at.toISOString() };
  }

  function cached(days: number): Promise<AuditSummary> {
    const t = now().getTime();
    const hit = cache.get(days);
    if (hit !== undefined && t - hit.at < cacheMs) return hit.answer;
    const answer = summarize(days);
    cache.set(days, { at: t, answer });
    answer.catch(() => cache.delete(days));
    return answer;
  }

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/audit/summary") return undefined;
    if (request.method !== "GET") return methodNotAllowed("GET");
    const access = await authorize(request, report, "the audit summary is not for this caller");
    if ("refused" in access) return access.refused;
    const raw = url.searchParams.get("days") ?? "14";
    const days = Number(raw);
    if (!/^\d{1,2}$/.test(raw) || days < 1 || days > 90) return endpointError("BAD_USER_INPUT", "days must be a whole number from 1 to 90");
    return Response.json(await cached(days), { headers: { "cache-control": "no-store" } });
  };
}

/** The handler as a yoga plugin; list it before useAuditApi, which answers every other /audit/ path. */
export function useAuditSummary(options: AuditSummaryOptions) {
  const handle = createAuditSummary(options);
  return {
    onRequest({ request, endResponse }: { request: Request; endResponse: (r: Response) => void }): Promise<void> | undefined {
      // Every GraphQL request passes here: a string test, no promise, for those.
      if (!request.url.includes("/audit/summary")) return undefined;
      return handle(request).then((response) => {
        if (response !== undefined) endResponse(response);
      });
    },
  };
}
