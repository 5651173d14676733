/**
 * The printable consent receipt: the same record as the JSON-LD download, for people — who consented, to whom, why,
 * which information, on which terms, what happened when, and how to withdraw — with a link to the JSON-LD file.
 * Plain HTML (headings, a facts list, lists), printed without the site's navigation.
 */
import { html } from "@ndx/platform";
import type { FieldCatalogue } from "../catalogue.ts";
import { parseTerms } from "../consentTerms.ts";
import type { ConsentView } from "../consentView.ts";
import { layout, type SignedIn } from "../portal/layout.ts";
import { fieldsByProvider } from "../portal/pages.ts";
import { registeredText, type RegisteredText } from "../portal/registeredText.ts";
import { dataLifeText, frequencyText } from "../portal/termsFacts.ts";
import type { Translator } from "../portal/translator.ts";

/** @param texts the application's name and the purpose's text, with their translations as last registered. */
export function receiptPage(tr: Translator, consent: ConsentView, catalogue: FieldCatalogue, user: SignedIn, texts: { name: RegisteredText; purpose: RegisteredText }): string {
  const terms = parseTerms(consent.terms);
  const happened = (status: string) => tr.t("receipt.event", { status });
  const from = terms.start !== null ? tr.date(terms.start.toISOString()) : consent.grantedAt === null ? tr.t("receipt.notGiven") : tr.date(consent.grantedAt);
  return layout(
    tr,
    tr.t("receipt.title"),
    html`<article class="panel receipt" aria-labelledby="receipt-h">
<h1 id="receipt-h">${tr.t("receipt.title")}</h1>
<p>${tr.rich("receipt.intro", { id: html`<strong class="id">${consent.consentId}</strong>`, link: (chunks) => html`<a href="/my/consents/${consent.consentId}/receipt.jsonld" download>${chunks}</a>` })}</p>
<dl class="facts">
  <dt>${tr.t("receipt.nic")}</dt><dd class="id">${consent.citizenId}</dd>
  ${consent.decidedBy?.role === "guardian" ? html`<dt>${tr.t("guardian.answeredBy")}</dt><dd>${tr.t("guardian.answeredByGuardian", { nic: consent.decidedBy.nic, basis: consent.decidedBy.basis ?? "" })}</dd>` : ""}
  <dt>${tr.t("receipt.who")}</dt><dd>${registeredText(tr, texts.name)}</dd>
  <dt>${tr.t("consent.why")}</dt><dd>${registeredText(tr, texts.purpose)} ${tr.t("receipt.code", { code: consent.purpose })}</dd>
  <dt>${tr.t("receipt.legalBasis")}</dt><dd>${tr.t("receipt.yourConsent")}</dd>
  <dt>${tr.t("receipt.statusNow")}</dt><dd>${happened(consent.status)}</dd>
  <dt>${tr.t("receipt.from")}</dt><dd>${from}</dd>
  <dt>${tr.t("receipt.until")}</dt><dd>${consent.expiresAt === null ? tr.t("receipt.notGiven") : tr.date(consent.expiresAt)}</dd>
  <dt>${tr.t("terms.frequencyLabel")}</dt><dd>${frequencyText(tr, terms)}</dd>
  <dt>${tr.t("terms.keepLabel")}</dt><dd>${dataLifeText(tr, terms)}</dd>
</dl>
<h2>${tr.t("receipt.information")}</h2>
${fieldsByProvider(tr, consent, catalogue, 3)}
<h2>${tr.t("receipt.history")}</h2>
<ol class="events">${(consent.history ?? []).map((e) => html`<li><time datetime="${e.at}">${tr.date(e.at)}</time>: ${happened(e.to)}</li>`)}</ol>
<h2>${tr.t("receipt.withdraw")}</h2>
<p>${tr.rich("receipt.withdrawHow", { link: (chunks) => html`<a href="/my/consents">${chunks}</a>` })}</p>
</article>`,
    user,
  );
}
