/**
 * The consent summary behind the admin console's charts (GET /v1/consents/summary?days=N): for each of the last N
 * days (UTC, today included), how many consent requests were opened, granted, denied, revoked, expired (a grant that
 * ran out) and left unanswered, in all and per application. Counted from the append-only history; nothing about any
 * citizen (no citizen id, no consent id) is in it.
 */
import type { Queryable } from "@ndx/platform";
import { badInput } from "./apiError.ts";
import type { ConsentStatus } from "./consentStore.ts";

export interface ConsentCounts {
  readonly requested: number;
  readonly granted: number;
  readonly denied: number;
  readonly revoked: number;
  readonly expired: number;
  readonly unanswered: number;
}

export type DayCounts = ConsentCounts & { readonly date: string };

export interface ConsentSummary {
  readonly days: number;
  /** The first and the last day counted, YYYY-MM-DD (UTC). */
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly totals: ConsentCounts;
  readonly byDay: readonly DayCounts[];
  /** Applications with anything counted, by id; `name` as registered (the id when no longer registered). */
  readonly byApplication: readonly { readonly applicationId: string; readonly name: string; readonly totals: ConsentCounts; readonly byDay: readonly DayCounts[] }[];
}

/** The `days` parameter: a whole number from 1 to 90, 14 when absent. */
export function summaryDays(params: URLSearchParams): number {
  const all = params.getAll("days");
  if (all.length === 0) return 14;
  const raw = all[0] ?? "";
  if (all.length > 1 || !/^\d{1,2}$/.test(raw) || Number(raw) < 1 || Number(raw) > 90) {
    throw badInput("days must be a whole number from 1 to 90", { property: "days" });
  }
  return Number(raw);
}

type Kind = keyof ConsentCounts;

/** What a history entry counts as, if anything. */
function kindOf(from: ConsentStatus | null, to: ConsentStatus): Kind | undefined {
  if (from === null && to === "PENDING") return "requested";
  // A resume (PAUSED → ACTIVE) is no new grant; a superseded request is neither answered nor left unanswered.
  if (to === "ACTIVE") return from === "PENDING" ? "granted" : undefined;
  if (to === "REJECTED") return "denied";
  if (to === "REVOKED") return "revoked";
  if (to === "EXPIRED") return from === "ACTIVE" || from === "PAUSED" ? "expired" : "unanswered";
  return undefined;
}

const zero = (): Record<Kind, number> => ({ requested: 0, granted: 0, denied: 0, revoked: 0, expired: 0, unanswered: 0 });
const dayMs = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export async function consentSummary(
  db: Queryable,
  options: { days: number; now: Date; applicationName: (id: string) => string | undefined },
): Promise<ConsentSummary> {
  const { days, now } = options;
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * dayMs);
  const dates = Array.from({ length: days }, (_, i) => isoDay(new Date(start.getTime() + i * dayMs)));
  const { rows } = await db.query<{ day: string; consumer_id: string; from_status: ConsentStatus | null; to_status: ConsentStatus; n: number | string }>(
    `SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, c.consumer_id, e.from_status, e.to_status, count(*) AS n
     FROM consent_events e JOIN consents c ON c.id = e.consent_id
     WHERE e.at >= $1 AND e.at <= $2
     GROUP BY 1, 2, 3, 4`,
    [start, now],
  );
  const totals = zero();
  const byDay = new Map(dates.map((d) => [d, zero()]));
  const apps = new Map<string, { totals: Record<Kind, number>; byDay: Map<string, Record<Kind, number>> }>();
  for (const r of rows) {
    const kind = kindOf(r.from_status, r.to_status);
    const day = byDay.get(r.day);
    if (kind === undefined || day === undefined) continue;
    const n = Number(r.n);
    let app = apps.get(r.consumer_id);
    if (app === undefined) {
      app = { totals: zero(), byDay: new Map(dates.map((d) => [d, zero()])) };
      apps.set(r.consumer_id, app);
    }
    for (const counts of [totals, day, app.totals, app.byDay.get(r.day) ?? zero()]) counts[kind] += n;
  }
  const listed = (map: Map<string, Record<Kind, number>>) => dates.map((date) => ({ date, ...(map.get(date) ?? zero()) }));
  return {
    days,
    from: dates[0] ?? isoDay(now),
    to: dates.at(-1) ?? isoDay(now),
    generatedAt: now.toISOString(),
    totals,
    byDay: listed(byDay),
    byApplication: [...apps.keys()].sort().map((id) => {
      const app = apps.get(id) ?? { totals: zero(), byDay: new Map<string, Record<Kind, number>>() };
      return { applicationId: id, name: options.applicationName(id) ?? id, totals: app.totals, byDay: listed(app.byDay) };
    }),
  };
}
