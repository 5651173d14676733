/** "How my consents were used": per consent, the times it was used and when last, as a table (caption, headers). */
import { html } from "@ndx/platform";
import type { ConsentView } from "../consentView.ts";
import type { UseLog } from "./consentUseLog.ts";
import { layout, type SignedIn } from "./layout.ts";
import { formatDate } from "./readableDate.ts";

const statusWords: Partial<Record<ConsentView["status"], string>> = {
  ACTIVE: "Active",
  PAUSED: "Paused",
  REVOKED: "Revoked",
  EXPIRED: "Expired",
};

export function useLogPage(log: UseLog, purposeText: (c: ConsentView) => string, user: SignedIn, maxRecords: number): string {
  const times = (n: number) => (n === 1 ? "1 time" : `${n} times`);
  return layout(
    "How my consents were used",
    html`<h1>How my consents were used</h1>
<div class="panel">
<p>Each time an application read your information with one of your consents, the exchange recorded it. ${html`<a href="/my/accesses">Who saw my data</a>`} lists every record.</p>
${
  log.rows.length === 0
    ? html`<p class="muted">You have not given any consent yet.</p>`
    : html`<table class="uses">
<caption>Uses of each consent you gave</caption>
<thead><tr><th scope="col">Application</th><th scope="col">Purpose</th><th scope="col">Status</th><th scope="col">Used</th><th scope="col">Last used</th></tr></thead>
<tbody>
${log.rows.map(
  (r) => html`<tr id="u-${r.consent.consentId}"><th scope="row">${r.consent.consumerName}</th><td>${purposeText(r.consent)}</td><td>${statusWords[r.consent.status] ?? r.consent.status}</td><td>${log.partial ? "at least " : ""}${times(r.uses)}</td><td>${r.lastUsedAt === null ? "Never" : formatDate(r.lastUsedAt)}</td></tr>`,
)}
</tbody>
</table>`
}
${log.partial ? html`<p class="note">Counted from your latest ${maxRecords} records; older uses are not counted here.</p>` : ""}
</div>`,
    user,
    "/my/uses",
  );
}
