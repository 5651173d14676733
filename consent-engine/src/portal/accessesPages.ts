/** The pages of "Who saw my data": the records about the citizen in plain language, and the pages when they cannot be shown. */
import { html, type SafeHtml } from "@ndx/platform";
import type { FieldCatalogue } from "../catalogue.ts";
import type { AccessedField, CitizenAccess } from "./accessHistory.ts";
import { layout, type SignedIn } from "./layout.ts";
import { formatDate } from "./readableDate.ts";

/** The decisions a citizen is shown, in plain words; other audit decisions are not about an identified application. */
export const accessOutcomes = {
  permit: "Read your information",
  consent_required: "Asked for your consent",
  forbidden: "Refused by the rules",
  unavailable: "Not answered: a service was unavailable",
} as const;

export type ShownDecision = keyof typeof accessOutcomes;

export function isShownDecision(decision: string | null): decision is ShownDecision {
  return decision !== null && Object.hasOwn(accessOutcomes, decision);
}

export interface AccessRow {
  readonly access: CitizenAccess & { readonly decision: ShownDecision };
  /** The consumer's registered name, or its id when it is not registered. */
  readonly consumerName: string;
  /** The purpose's registered text (the exchange's register), or that it is not a registered purpose. */
  readonly purposeText: string;
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

/** The fields, grouped by agency (in the order they first appear), under level-3 headings. */
function accessedFields(fields: readonly AccessedField[], catalogue: FieldCatalogue): SafeHtml {
  const byProvider = new Map<string, AccessedField[]>();
  for (const f of fields) byProvider.set(f.provider, [...(byProvider.get(f.provider) ?? []), f]);
  if (byProvider.size === 0) return html`<p class="muted">No information from other agencies.</p>`;
  return html`${[...byProvider].map(
    ([provider, list]) => html`<h3>From the ${catalogue.providerLabel(provider)}</h3>
<ul class="fields">${list.map((f) => html`<li>${catalogue.fieldLabel(f)}</li>`)}</ul>`,
  )}`;
}

export function accessesPage(m: AccessesModel): string {
  const whatLabel: Record<ShownDecision, string> = {
    permit: "Information read",
    consent_required: "Information asked for",
    forbidden: "Information asked for",
    unavailable: "Information asked for",
  };
  return layout(
    "Who saw my data",
    html`<h1>Who saw my data</h1>
<p>Every time a government application asks the exchange for your information, it is recorded. These are the records about you, newest first: which application asked, when, why, for which information, and what happened.</p>
<section class="panel" aria-label="${m.newest ? "Most recent records" : "Older records"}">
${
  m.rows.length === 0
    ? html`<p class="muted">${
        m.olderHref !== undefined
          ? "No records to show on this page; there may be older ones."
          : m.newest
            ? "No application has asked for your information yet."
            : "There are no older records."
      }</p>`
    : html`<ol class="accesses">${m.rows.map(
        ({ access, consumerName, purposeText }) => html`<li class="access-card">
<article aria-labelledby="a-${access.id}">
<h2 id="a-${access.id}">${consumerName} <span class="outcome ${access.decision.replace("_", "-")}">${accessOutcomes[access.decision]}</span></h2>
<dl class="facts">
  <dt>When</dt><dd><time datetime="${access.at}">${formatDate(access.at)}</time></dd>
  <dt>Why</dt><dd>${access.purpose === null ? "No purpose was given" : purposeText}</dd>
</dl>
<p class="what">${whatLabel[access.decision]}:</p>
${accessedFields(access.fields, m.catalogue)}
</article>
</li>`,
      )}</ol>`
}
</section>
${
  m.olderHref === undefined && m.newest
    ? ""
    : html`<nav class="pages" aria-label="More records">
${m.newest ? "" : html`<a href="/my/accesses">Newest</a>`}
${m.olderHref === undefined ? "" : html`<a href="${m.olderHref}" rel="next">Older</a>`}
</nav>`
}
${m.newest ? html`<p class="note"><a href="/my/accesses/evidence.zip" download>Download the evidence of these records</a>: a signed, time-stamped file of your records of the last 30 days that anyone can check, with nothing in it about other people.</p>` : ""}
<p class="note">To stop an application from seeing your information, revoke its consent under <a href="/my/consents">My consents</a>.</p>`,
    m.user,
    "/my/accesses",
  );
}

/** "Who saw my data" when the records cannot be fetched: a notice, never the upstream's words. */
export function accessesUnavailablePage(user: SignedIn): string {
  return layout(
    "Who saw my data",
    html`<h1>Who saw my data</h1>
<div class="panel">
<p class="problem" role="alert">We cannot show the records of who saw your information right now. Please try again in a few minutes. Your consents are not affected.</p>
<p><a href="/my/accesses">Try again</a> · <a href="/my/consents">Go to My consents</a></p>
</div>`,
    user,
    "/my/accesses",
  );
}

/** "Who saw my data" for a staff account: the page is about a citizen's own records. */
export function accessesForCitizensPage(user: SignedIn): string {
  return layout(
    "Who saw my data",
    html`<h1>Who saw my data is for citizens</h1>
<div class="panel">
<p class="problem" role="alert">You are signed in as ${user.name}, a staff account. This page shows citizens who accessed their own information; a staff account has no such records. To see yours as a citizen, sign out and sign in with your NIC number.</p>
</div>`,
    user,
    "/my/accesses",
  );
}
