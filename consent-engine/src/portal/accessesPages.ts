/** The pages of "Who saw my data": the records about the citizen in plain language, and the pages when they cannot be shown. */
import { html } from "@ndx/platform";
import type { FieldCatalogue } from "../catalogue.ts";
import type { CitizenAccess } from "./accessHistory.ts";
import type { ConsentTexts } from "./consentTexts.ts";
import { fieldsGrouped } from "./fieldLabels.ts";
import { layout, type SignedIn } from "./layout.ts";
import { registeredText } from "./registeredText.ts";
import type { Translator } from "./translator.ts";

/** The decisions a citizen is shown (their words are `access.outcome` of the catalogues); others are not about an identified application. */
const shownDecisions = ["permit", "consent_required", "forbidden", "unavailable"] as const;

export type ShownDecision = (typeof shownDecisions)[number];

export function isShownDecision(decision: string | null): decision is ShownDecision {
  return decision !== null && (shownDecisions as readonly string[]).includes(decision);
}

export interface AccessRow {
  readonly access: CitizenAccess & { readonly decision: ShownDecision };
  /** The consumer's registered name (its id when it is not registered) and the purpose's registered text. */
  readonly texts: ConsentTexts | undefined;
}

export interface AccessesModel {
  readonly rows: readonly AccessRow[];
  readonly catalogue: FieldCatalogue;
  readonly user: SignedIn;
  /** Whether this is the newest page (no `before`). */
  readonly newest: boolean;
  /** The link to the next, older page, when there may be one. */
  readonly olderHref?: string | undefined;
}

function accessCard(tr: Translator, { access, texts }: AccessRow, catalogue: FieldCatalogue) {
  const name = texts === undefined ? html`${tr.t("access.unnamed")}` : registeredText(tr, texts.name);
  const why = access.purpose === null || texts === undefined ? html`${tr.t("access.noPurpose")}` : registeredText(tr, texts.purpose);
  return html`<li class="access-card">
<article aria-labelledby="a-${access.id}">
<h2 id="a-${access.id}">${name} <span class="outcome ${access.decision.replace("_", "-")}">${tr.t("access.outcome", { decision: access.decision })}</span></h2>
<dl class="facts">
  <dt>${tr.t("access.when")}</dt><dd><time datetime="${access.at}">${tr.date(access.at)}</time></dd>
  <dt>${tr.t("access.why")}</dt><dd>${why}</dd>
</dl>
<p class="what">${tr.t("access.what", { decision: access.decision })}</p>
${access.fields.length === 0 ? html`<p class="muted">${tr.t("access.noFields")}</p>` : fieldsGrouped(tr, catalogue, access.fields, 3)}
</article>
</li>`;
}

export function accessesPage(tr: Translator, m: AccessesModel): string {
  const empty = m.olderHref !== undefined ? "maybeOlder" : m.newest ? "none" : "noOlder";
  return layout(
    tr,
    tr.t("layout.myAccesses"),
    html`<h1>${tr.t("layout.myAccesses")}</h1>
<p>${tr.t("access.intro")}</p>
<section class="panel" aria-label="${tr.t(m.newest ? "access.recent" : "access.older")}">
${m.rows.length === 0 ? html`<p class="muted">${tr.t("access.empty", { empty })}</p>` : html`<ol class="accesses">${m.rows.map((row) => accessCard(tr, row, m.catalogue))}</ol>`}
</section>
${
  m.olderHref === undefined && m.newest
    ? ""
    : html`<nav class="pages" aria-label="${tr.t("access.more")}">
${m.newest ? "" : html`<a href="/my/accesses">${tr.t("access.newestLink")}</a>`}
${m.olderHref === undefined ? "" : html`<a href="${m.olderHref}" rel="next">${tr.t("access.olderLink")}</a>`}
</nav>`
}
${m.newest ? html`<p class="note">${tr.rich("access.evidence", { link: (chunks) => html`<a href="/my/accesses/evidence.zip" download>${chunks}</a>` })}</p>` : ""}
<p class="note">${tr.rich("access.stop", { link: (chunks) => html`<a href="/my/consents">${chunks}</a>` })}</p>`,
    m.user,
    "/my/accesses",
  );
}

/** "Who saw my data" when the records cannot be fetched: a notice, never the upstream's words. */
export function accessesUnavailablePage(tr: Translator, user: SignedIn): string {
  return layout(
    tr,
    tr.t("layout.myAccesses"),
    html`<h1>${tr.t("layout.myAccesses")}</h1>
<div class="panel">
<p class="problem" role="alert">${tr.t("access.unavailable")}</p>
<ul class="links"><li><a href="/my/accesses">${tr.t("access.tryAgain")}</a></li><li><a href="/my/consents">${tr.t("common.goToMyConsents")}</a></li></ul>
</div>`,
    user,
    "/my/accesses",
  );
}

/** "Who saw my data" for a staff account: the page is about a citizen's own records. */
export function accessesForCitizensPage(tr: Translator, user: SignedIn): string {
  return layout(
    tr,
    tr.t("layout.myAccesses"),
    html`<h1>${tr.t("access.forCitizensHeading")}</h1>
<div class="panel">
<p class="problem" role="alert">${tr.t("access.forCitizens", { name: user.name })}</p>
</div>`,
    user,
    "/my/accesses",
  );
}
