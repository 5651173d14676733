/** "How my consents were used": per consent, the times it was used and when last, as a table (caption, headers). */
import { html } from "@ndx/platform";
import type { ConsentView } from "../consentView.ts";
import type { UseLog } from "./consentUseLog.ts";
import type { ConsentTexts } from "./consentTexts.ts";
import { layout, type SignedIn } from "./layout.ts";
import { registeredText } from "./registeredText.ts";
import type { Translator } from "./translator.ts";

export function useLogPage(tr: Translator, log: UseLog, texts: (c: ConsentView) => ConsentTexts, user: SignedIn, maxRecords: number): string {
  return layout(
    tr,
    tr.t("layout.myUses"),
    html`<h1>${tr.t("layout.myUses")}</h1>
<div class="panel">
<p>${tr.t("uses.intro")} ${tr.rich("uses.seeAll", { link: (chunks) => html`<a href="/my/accesses">${chunks}</a>` })}</p>
${
  log.rows.length === 0
    ? html`<p class="muted">${tr.t("uses.none")}</p>`
    : html`<table class="uses">
<caption>${tr.t("uses.caption")}</caption>
<thead><tr><th scope="col">${tr.t("uses.application")}</th><th scope="col">${tr.t("uses.purpose")}</th><th scope="col">${tr.t("uses.status")}</th><th scope="col">${tr.t("uses.used")}</th><th scope="col">${tr.t("uses.lastUsed")}</th></tr></thead>
<tbody>
${log.rows.map(
  (r) => html`<tr id="u-${r.consent.consentId}"><th scope="row">${registeredText(tr, texts(r.consent).name)}</th><td data-label="${tr.t("uses.purpose")}">${registeredText(tr, texts(r.consent).purpose)}</td><td data-label="${tr.t("uses.status")}">${tr.t("status.label", { status: r.consent.status })}</td><td data-label="${tr.t("uses.used")}">${tr.t("uses.times", { count: r.uses, partial: String(log.partial) })}</td><td data-label="${tr.t("uses.lastUsed")}">${r.lastUsedAt === null ? tr.t("uses.never") : tr.date(r.lastUsedAt)}</td></tr>`,
)}
</tbody>
</table>`
}
${log.partial ? html`<p class="note">${tr.t("uses.partial", { max: maxRecords })}</p>` : ""}
</div>`,
    user,
    "/my/uses",
  );
}
