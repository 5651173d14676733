/**
 * Charts of the audit trail (exchange administrators; the gateway's GET /audit/summary): requests per application
 * per day, decisions by kind, consent answers. Each chart is drawn by Chart.js (served from the console) from the
 * table under it, so the picture and the accessible table always show the same figures; without scripts the tables
 * remain.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { Router } from "../http/router.ts";
import type { PageResponses } from "../http/responses.ts";
import { consentAnswerKinds, decisionKinds, type AuditSummary } from "../gateway/auditSummary.ts";
import { operations, type ApplicationView } from "../gateway/operations.ts";
import type { Staff } from "../staff.ts";
import { dataTable } from "./dataTable.ts";
import { layout } from "./layout.ts";

const dayChoices = [7, 14, 30, 90] as const;

const decisionLabels: Readonly<Record<(typeof decisionKinds)[number], string>> = {
  permit: "permitted",
  consent_required: "consent required",
  forbidden: "forbidden",
  unauthenticated: "unauthenticated",
  bad_request: "bad request",
  unavailable: "unavailable",
};

interface Series {
  readonly key: string;
  readonly label: string;
  readonly counts: readonly number[];
}

/** A chart and, under it, its figures as a table: a row per series, a column per day. */
function chart(id: string, title: string, summary: AuditSummary, series: readonly Series[], note?: string): SafeHtml {
  return html`<section class="panel chart-block" aria-labelledby="${id}-title">
<h2 id="${id}-title">${title}</h2>
${note === undefined ? "" : html`<p class="note">${note}</p>`}
<div class="chart"><canvas id="${id}-chart" data-table="${id}-table" role="img" aria-label="${title}: a stacked bar chart per day; its figures are in the table below" aria-describedby="${id}-table-caption"></canvas></div>
${dataTable({
  id: `${id}-table`,
  className: "figures",
  caption: `${title}, per day (UTC)`,
  columns: ["Series", ...summary.dates],
  rows: series.length === 0
    ? [html`<tr><th scope="row">none</th>${summary.dates.map(() => html`<td>0</td>`)}</tr>`]
    : series.map((s) => html`<tr data-series="${s.key}"><th scope="row">${s.label}</th>${s.counts.map((c) => html`<td>${c}</td>`)}</tr>`),
})}
</section>`;
}

/** @param names applications' names by id, for the labels (the trail holds ids). */
function chartsPage(summary: AuditSummary, names: ReadonlyMap<string, string> = new Map()): SafeHtml {
  const requests = summary.requests.map((r) => ({ key: r.application, label: names.get(r.application) ?? r.application, counts: r.counts }));
  const decisions = decisionKinds.map((k) => ({ key: k, label: decisionLabels[k], counts: summary.decisions[k] }));
  return html`<h1>Charts of the audit trail</h1>
<form method="get" action="/charts" class="inline-form">
<label for="days">Days</label>
<select id="days" name="days">${dayChoices.map((d) => html`<option value="${d}"${d === summary.days ? html` selected` : ""}>last ${d} days</option>`)}</select>
<button class="secondary small" type="submit">Show</button>
</form>
<p class="note">From ${summary.dates[0] ?? ""} to ${summary.dates.at(-1) ?? ""} (UTC), as of ${summary.generatedAt.slice(0, 19).replace("T", " ")} UTC.</p>
${chart("requests", "Requests per application", summary, requests, "Each request an application sent through the gateway, whatever was decided.")}
${chart("decisions", "Decisions by kind", summary, decisions, "Every decision of the gateway, staff and refused callers included.")}
${summary.consent.available
    ? chart("consent", "Consent answers", summary, consentAnswerKinds.map((k) => ({ key: k, label: k, counts: summary.consent.available ? summary.consent.answers[k] : [] })))
    : html`<section class="panel" aria-labelledby="consent-title"><h2 id="consent-title">Consent answers</h2>
<p class="problem" role="status">Not available: ${summary.consent.reason}.</p></section>`}`;
}

export function chartRoutes(router: Router, staff: Staff, { page }: PageResponses): void {
  router.add("GET", "/charts", staff.page(async ({ shell, url, auditSummary, call }) => {
    const raw = url.searchParams.get("days") ?? "14";
    const days = /^\d{1,2}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 90 ? Number(raw) : 14;
    const [summary, names] = await Promise.all([
      auditSummary(days),
      // Names are a nicety: without them the ids are shown.
      call<{ applications: Pick<ApplicationView, "id" | "name">[] }>(operations.applicationNames).then(
        ({ applications }) => new Map(applications.map((a) => [a.id, a.name])),
        () => new Map<string, string>(),
      ),
    ]);
    return page(200, layout("Charts", chartsPage(summary, names), shell, ["/static/chart.umd.min.js", "/static/charts.js"]));
  }));
}
