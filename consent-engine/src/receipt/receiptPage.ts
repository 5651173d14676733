/**
 * The printable consent receipt: the same record as the JSON-LD download, for people — who consented, to whom, why,
 * which information, on which terms, what happened when, and how to withdraw — with a link to the JSON-LD file.
 * Plain HTML (headings, a facts list, lists), printed without the site's navigation.
 */
import { html } from "@ndx/platform";
import type { FieldCatalogue } from "../catalogue.ts";
import { dataLifeWords, frequencyWords, parseTerms } from "../consentTerms.ts";
import type { ConsentView } from "../consentView.ts";
import { layout, type SignedIn } from "../portal/layout.ts";
import { fieldsByProvider } from "../portal/pages.ts";
import { formatDate } from "../portal/readableDate.ts";

const happened: Record<string, string> = {
  PENDING: "Asked for your consent",
  ACTIVE: "Consent given (or resumed)",
  PAUSED: "You paused it",
  REJECTED: "You refused",
  REVOKED: "You withdrew it",
  EXPIRED: "It ended",
  SUPERSEDED: "Replaced by a newer request",
};

export function receiptPage(consent: ConsentView, catalogue: FieldCatalogue, user: SignedIn): string {
  const terms = parseTerms(consent.terms);
  return layout(
    "Consent receipt",
    html`<article class="panel receipt" aria-labelledby="receipt-h">
<h1 id="receipt-h">Consent receipt</h1>
<p>Record <strong>${consent.consentId}</strong>, following ISO/IEC TS 27560:2023. <a href="/my/consents/${consent.consentId}/receipt.jsonld" download>Download it as a file (JSON-LD)</a>.</p>
<dl class="facts">
  <dt>Your NIC</dt><dd>${consent.citizenId}</dd>
  <dt>Who may see your information</dt><dd>${consent.consumerName}</dd>
  <dt>Why</dt><dd>${consent.purposeText ?? consent.purpose} (code ${consent.purpose})</dd>
  <dt>Legal basis</dt><dd>Your consent</dd>
  <dt>Status now</dt><dd>${happened[consent.status] ?? consent.status}</dd>
  <dt>From</dt><dd>${terms.start !== null ? formatDate(terms.start.toISOString()) : consent.grantedAt === null ? "Not given" : formatDate(consent.grantedAt)}</dd>
  <dt>Until</dt><dd>${consent.expiresAt === null ? "Not given" : formatDate(consent.expiresAt)}</dd>
  <dt>How often</dt><dd>${frequencyWords(terms)}</dd>
  <dt>How long they may keep it</dt><dd>${dataLifeWords(terms)}</dd>
</dl>
<h2>The information</h2>
${fieldsByProvider(consent, catalogue, 3)}
<h2>What happened</h2>
<ol class="events">${(consent.history ?? []).map((e) => html`<li><time datetime="${e.at}">${formatDate(e.at)}</time>: ${happened[e.to] ?? e.to}</li>`)}</ol>
<h2>How to withdraw</h2>
<p>Sign in to the consent portal and use <a href="/my/consents">My consents</a>: Pause holds it back, Revoke ends it at once.</p>
</article>`,
    user,
  );
}
