/**
 * The portal's pages, in plain language and the request's language: the consent question and its answer, the start
 * page, and messages (errors, expired and answered requests).
 */
import type { FieldCatalogue } from "../catalogue.ts";
import type { ConsentView } from "../consentView.ts";
import type { RegisterApplication, RegisterPurpose } from "../register/applicationRegister.ts";
import { html, type SafeHtml } from "@ndx/platform";
import { fieldsGrouped } from "./fieldLabels.ts";
import { layout, type SignedIn } from "./layout.ts";
import { applicationName, purposeText, registeredLanguage, registeredPlain, registeredText, untranslated } from "./registeredText.ts";
import { termsFacts } from "./termsFacts.ts";
import type { Translator } from "./translator.ts";

function durationChoices(maxDays: number): number[] {
  return [...new Set([1, 7, 30, 90, 180, 365].filter((d) => d <= maxDays).concat(maxDays))].sort((a, b) => a - b);
}

/** The fields, grouped by agency in the consent's order, under headings of `level`. */
export function fieldsByProvider(tr: Translator, consent: ConsentView, catalogue: FieldCatalogue, level: 2 | 3 | 4 = 3): SafeHtml {
  const order = consent.dataScope.providers;
  const fields = [...consent.dataScope.fields].sort((a, b) => order.indexOf(a.provider) - order.indexOf(b.provider));
  return fieldsGrouped(tr, catalogue, fields, level);
}

export interface ConsentPageModel {
  readonly consent: ConsentView;
  /** The application and the purpose as registered with the exchange now. */
  readonly application: RegisterApplication;
  readonly purpose: RegisterPurpose;
  readonly catalogue: FieldCatalogue;
  readonly user: SignedIn;
  readonly formToken: string;
  /** Where the answer goes back to, already checked against the consumer's registered URIs. */
  readonly returnsTo: string | undefined;
  /**
   * A guardian answering for a minor: the heading names the minor, and a notice above the question says why the
   * guardian answers (guardianPages.ts). @default none
   */
  readonly onBehalf?: { readonly name: string; readonly notice: SafeHtml } | undefined;
}

/**
 * The consent question, in the order a screen reader reads it: who asks, for which agency, why, what, on which terms,
 * then for how long and what Allow and Deny each do, and only then the two buttons.
 */
export function consentPage(tr: Translator, m: ConsentPageModel): string {
  const { consent, catalogue, application, purpose } = m;
  const maxDays = purpose.maxConsentDays;
  const choices = durationChoices(maxDays);
  const preselected = choices.find((d) => d >= 7) ?? choices[choices.length - 1];
  const name = registeredText(tr, applicationName(application));
  const plainName = registeredPlain(tr, applicationName(application));
  const why = registeredText(tr, purposeText(application, purpose));
  return layout(
    tr,
    tr.t("consent.title"),
    html`<div class="panel">
<h1>${m.onBehalf === undefined ? tr.rich("consent.heading", { app: name }) : tr.rich("consent.headingForChild", { app: name, name: m.onBehalf.name })}</h1>
${m.onBehalf?.notice ?? ""}
<p>${untranslated(tr, application.description, registeredLanguage(application))}</p>
<dl class="facts">
  <dt>${tr.t("consent.who")}</dt><dd>${name}</dd>
  <dt>${tr.t("consent.agency")}</dt><dd>${untranslated(tr, application.member.name, registeredLanguage(application))}</dd>
  <dt>${tr.t("consent.why")}</dt><dd>${why}</dd>
  <dt>${tr.t("consent.law")}</dt><dd>${untranslated(tr, purpose.legalBasis, registeredLanguage(application))}</dd>
  ${termsFacts(tr, consent)}
  <dt>${tr.t("consent.answerBy")}</dt><dd>${tr.date(consent.requestExpiresAt)}</dd>
</dl>
<h2>${tr.t("consent.what", { count: consent.dataScope.fields.length })}</h2>
${fieldsByProvider(tr, consent, catalogue)}
<form method="post" action="/consent/${consent.consentId}">
  <input type="hidden" name="token" value="${m.formToken}">
  <fieldset>
  <legend>${tr.t("consent.answerLegend")}</legend>
  <label for="durationDays">${tr.t("consent.duration")}</label>
  <select id="durationDays" name="durationDays" aria-describedby="duration-help">
    ${choices.map((d) => html`<option value="${d}"${d === preselected ? html` selected` : ""}>${tr.t("common.days", { count: d })}</option>`)}
  </select>
  <p class="note" id="duration-help">${tr.t(consent.terms.start === undefined ? "consent.durationHelp" : "consent.durationHelpFromStart", { max: maxDays })}</p>
  <h2 id="outcomes-h">${tr.t("consent.outcomes")}</h2>
  <ul class="outcomes" aria-labelledby="outcomes-h">
    <li id="if-allow">${tr.rich("consent.ifAllow", { app: name })}</li>
    <li id="if-deny">${tr.rich("consent.ifDeny", { app: name })}</li>
  </ul>
  <div class="actions">
    <button class="primary" type="submit" name="decision" value="grant" aria-label="${tr.t("consent.allowName", { app: plainName })}">${tr.t("consent.allow")}</button>
    <button class="secondary" type="submit" name="decision" value="reject" aria-label="${tr.t("consent.denyName", { app: plainName })}">${tr.t("consent.deny")}</button>
  </div>
  </fieldset>
</form>
${m.returnsTo === undefined ? "" : html`<p class="note">${tr.t("consent.returnsTo", { host: new URL(m.returnsTo).host })}</p>`}
</div>`,
    m.user,
  );
}

/**
 * A pending request that cannot be granted now: its application is suspended, no longer registered, or no longer
 * registers the purpose. Nothing is recorded; the citizen may still refuse it later, and nothing can read with it.
 */
export function notAskingPage(tr: Translator, application: RegisterApplication | undefined, consent: ConsentView, user: SignedIn): string {
  const why = application === undefined ? "unregistered" : application.status !== "ACTIVE" ? "suspended" : "purposeGone";
  const app = application === undefined ? consent.consumerName : registeredPlain(tr, applicationName(application));
  return messagePage(tr, tr.t("notAsking.title", { why }), tr.t("notAsking.message", { why, app }), {
    user,
    link: { href: "/my/consents", text: tr.t("common.goToMyConsents") },
  });
}

export function decidedPage(tr: Translator, consent: ConsentView, catalogue: FieldCatalogue, user: SignedIn): string {
  const granted = consent.status === "ACTIVE";
  return layout(
    tr,
    tr.t(granted ? "decided.titleGranted" : "decided.titleRefused"),
    html`<div class="panel">
<h1>${tr.t(granted ? "decided.headingGranted" : "decided.headingRefused")}</h1>
<p role="status">${
      granted
        ? tr.t("decided.granted", { app: consent.consumerName, until: tr.date(consent.expiresAt) })
        : tr.t("decided.refused", { app: consent.consumerName })
    }</p>
${fieldsByProvider(tr, consent, catalogue, 2)}
<p><a href="/my/consents">${tr.t("decided.seeAll")}</a></p>
</div>`,
    user,
  );
}

export function messagePage(tr: Translator, title: string, message: string, options: { user?: SignedIn; link?: { href: string; text: string } } = {}): string {
  return layout(
    tr,
    title,
    html`<div class="panel">
<h1>${title}</h1>
<p class="problem" role="alert">${message}</p>
${options.link === undefined ? "" : html`<p><a href="${options.link.href}">${options.link.text}</a></p>`}
</div>`,
    options.user,
  );
}

export function homePage(tr: Translator): string {
  return layout(
    tr,
    tr.t("home.title"),
    html`<div class="panel">
<h1>${tr.t("home.heading")}</h1>
<p>${tr.t("home.intro")}</p>
<p><a class="button" href="/login?return_to=%2Fmy%2Fconsents">${tr.t("home.signIn")}</a></p>
</div>`,
  );
}
