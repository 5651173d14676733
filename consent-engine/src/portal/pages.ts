/** The portal's pages, in plain language: the consent question and its answer, My consents, and messages. */
import type { FieldCatalogue } from "../catalogue.ts";
import type { ConsentView } from "../consentView.ts";
import type { RegisterApplication, RegisterPurpose } from "../register/applicationRegister.ts";
import { html, type SafeHtml } from "@ndx/platform";
import { layout, type SignedIn } from "./layout.ts";
import { formatDate } from "./readableDate.ts";
import { termsFacts } from "./termsFacts.ts";

function durationChoices(maxDays: number): number[] {
  return [...new Set([1, 7, 30, 90, 180, 365].filter((d) => d <= maxDays).concat(maxDays))].sort((a, b) => a - b);
}

const days = (n: number): string => (n === 1 ? "1 day" : `${n} days`);

/** The fields, grouped by agency, under headings one level below `level`'s section. */
export function fieldsByProvider(consent: ConsentView, catalogue: FieldCatalogue, level: 3 | 4 = 3): SafeHtml {
  return html`${consent.dataScope.providers.map((provider) => {
    const fields = consent.dataScope.fields.filter((f) => f.provider === provider);
    const title = `From the ${catalogue.providerLabel(provider)}`;
    return html`${level === 3 ? html`<h3>${title}</h3>` : html`<h4>${title}</h4>`}
<ul class="fields">${fields.map((f) => html`<li>${catalogue.fieldLabel(f)}</li>`)}</ul>`;
  })}`;
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
}

export function consentPage(m: ConsentPageModel): string {
  const { consent, catalogue, application, purpose } = m;
  const maxDays = purpose.maxConsentDays;
  const choices = durationChoices(maxDays);
  const preselected = choices.find((d) => d >= 7) ?? choices[choices.length - 1];
  return layout(
    "Your consent is requested",
    html`<div class="panel">
<h1>${application.name} asks to see some of your information</h1>
<p>${application.description}</p>
<dl class="facts">
  <dt>Who is asking</dt><dd>${application.name}</dd>
  <dt>On behalf of</dt><dd>${application.member.name}</dd>
  <dt>Why</dt><dd>${purpose.text}</dd>
  <dt>What allows them to ask</dt><dd>${purpose.legalBasis}</dd>
  ${termsFacts(consent)}
  <dt>Answer by</dt><dd>${formatDate(consent.requestExpiresAt)}</dd>
</dl>
<h2>What they would see</h2>
${fieldsByProvider(consent, catalogue)}
<form method="post" action="/consent/${consent.consentId}">
  <input type="hidden" name="token" value="${m.formToken}">
  <label for="durationDays">For how long</label>
  <select id="durationDays" name="durationDays" aria-describedby="duration-help">
    ${choices.map((d) => html`<option value="${d}"${d === preselected ? html` selected` : ""}>${days(d)}</option>`)}
  </select>
  <p class="note" id="duration-help">They can see this information as often as said above during this time${consent.terms.start === undefined ? "" : html`, counted from when it can first be used`}, at most ${days(maxDays)} for this purpose. You can pause or revoke your consent at any time under My consents.</p>
  <div class="actions">
    <button class="primary" type="submit" name="decision" value="grant">Allow</button>
    <button class="secondary" type="submit" name="decision" value="reject">Deny</button>
  </div>
</form>
${m.returnsTo === undefined ? "" : html`<p class="note">After you answer, you go back to ${new URL(m.returnsTo).host}.</p>`}
</div>`,
    m.user,
  );
}

/**
 * A pending request that cannot be granted now: its application is suspended, no longer registered, or no longer
 * registers the purpose. Nothing is recorded; the citizen may still refuse it later, and nothing can read with it.
 */
export function notAskingPage(application: RegisterApplication | undefined, consent: ConsentView, user: SignedIn): string {
  const [title, why] =
    application === undefined
      ? ["This application is not registered", "is no longer registered with the exchange"]
      : application.status !== "ACTIVE"
        ? ["This application is suspended", "has been suspended by the exchange"]
        : ["This purpose is no longer registered", "no longer registers the purpose it gave for this request"];
  return messagePage(
    title,
    `${application?.name ?? consent.consumerName} ${why}, so this request cannot be granted. Nothing has been recorded, and the application cannot see your information with it.`,
    { user, link: { href: "/my/consents", text: "Go to My consents" } },
  );
}

export function decidedPage(consent: ConsentView, catalogue: FieldCatalogue, user: SignedIn): string {
  const granted = consent.status === "ACTIVE";
  return layout(
    granted ? "Consent given" : "Consent refused",
    html`<div class="panel">
<h1>${granted ? "You gave your consent" : "You refused"}</h1>
<p>${
      granted
        ? html`${consent.consumerName} may see the information below until ${formatDate(consent.expiresAt)}.`
        : html`${consent.consumerName} will not see the information below.`
    }</p>
${fieldsByProvider(consent, catalogue)}
<p><a href="/my/consents">See all your consents</a></p>
</div>`,
    user,
  );
}

export function messagePage(title: string, message: string, options: { user?: SignedIn; link?: { href: string; text: string } } = {}): string {
  return layout(
    title,
    html`<div class="panel">
<h1>${title}</h1>
<p class="problem" role="alert">${message}</p>
${options.link === undefined ? "" : html`<p><a href="${options.link.href}">${options.link.text}</a></p>`}
</div>`,
    options.user,
  );
}

export function homePage(): string {
  return layout(
    "Welcome",
    html`<div class="panel">
<h1>Your data, your consent</h1>
<p>Government applications ask here before they see your information held by other agencies. Sign in to see which applications you have allowed, and to revoke a consent.</p>
<p><a href="/login?return_to=%2Fmy%2Fconsents">Sign in</a></p>
</div>`,
  );
}
