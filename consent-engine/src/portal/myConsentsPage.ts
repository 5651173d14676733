/** My consents, in plain language: active ones (Pause, Revoke), paused ones (Resume, Revoke), requests, past ones. */
import type { FieldCatalogue } from "../catalogue.ts";
import type { ConsentView } from "../consentView.ts";
import { html, type SafeHtml } from "@ndx/platform";
import { layout, type SignedIn } from "./layout.ts";
import { fieldsByProvider } from "./pages.ts";
import { formatDate } from "./readableDate.ts";

function statusBadge(status: ConsentView["status"]): SafeHtml {
  const labels: Record<ConsentView["status"], string> = {
    PENDING: "Waiting for your answer",
    ACTIVE: "Active",
    PAUSED: "Paused",
    SUPERSEDED: "Replaced by a newer request",
    REJECTED: "You refused",
    REVOKED: "Revoked",
    EXPIRED: "Expired",
  };
  return html`<span class="status ${status === "ACTIVE" ? "active" : "ended"}">${labels[status]}</span>`;
}

export interface MyConsentsModel {
  readonly consents: readonly ConsentView[];
  readonly catalogue: FieldCatalogue;
  /** The purpose's text as registered with the exchange. */
  readonly purposeText: (consent: ConsentView) => string;
  readonly user: SignedIn;
  /** `${action}:${consentId}` → one-time token of that form (revoke, pause, resume). */
  readonly formTokens: ReadonlyMap<string, string>;
  readonly notice?: string | undefined;
}

export function myConsentsPage(m: MyConsentsModel): string {
  const active = m.consents.filter((c) => c.status === "ACTIVE");
  const pending = m.consents.filter((c) => c.status === "PENDING");
  const paused = m.consents.filter((c) => c.status === "PAUSED");
  const past = m.consents.filter((c) => !["ACTIVE", "PENDING", "PAUSED"].includes(c.status));
  const button = (c: ConsentView, action: "pause" | "resume" | "revoke", label: string, style: string) => html`<form method="post" action="/my/consents/${c.consentId}/${action}">
  <input type="hidden" name="token" value="${m.formTokens.get(`${action}:${c.consentId}`) ?? ""}">
  <button class="${style}" type="submit" aria-label="${label} consent for ${c.consumerName}: ${m.purposeText(c)}">${label}</button>
</form>`;
  const card = (c: ConsentView, extra: SafeHtml | string) => html`<article class="consent-card" aria-labelledby="c-${c.consentId}">
<h3 id="c-${c.consentId}">${c.consumerName} ${statusBadge(c.status)}</h3>
<p>${m.purposeText(c)}</p>
${fieldsByProvider(c, m.catalogue, 4)}
${extra}
${c.grantedAt === null ? "" : html`<p class="note"><a href="/my/consents/${c.consentId}/receipt">Receipt<span class="visually-hidden"> for ${c.consumerName}: ${m.purposeText(c)}</span></a></p>`}
</article>`;
  return layout(
    "My consents",
    html`<h1>My consents</h1>
${m.notice === undefined ? "" : html`<p class="notice" role="status">${m.notice}</p>`}
${
  pending.length === 0
    ? ""
    : html`<p class="notice" id="waiting">${pending.length === 1 ? "1 request waits" : `${pending.length} requests wait`} for your answer: <a href="#pending-h">answer ${pending.length === 1 ? "it" : "them"} below</a>. You can answer here, without going back to the application.</p>`
}
<section class="panel" aria-labelledby="active-h">
<h2 id="active-h">Active</h2>
${
  active.length === 0
    ? html`<p class="muted">No application can see your information with your consent right now.</p>`
    : active.map((c) =>
        card(
          c,
          html`<p class="note">Given ${formatDate(c.grantedAt)}, valid until ${formatDate(c.expiresAt)}.</p>
<div class="actions">${button(c, "pause", "Pause", "secondary")}${button(c, "revoke", "Revoke", "danger")}</div>`,
        ),
      )
}
</section>
${
  paused.length === 0
    ? ""
    : html`<section class="panel" aria-labelledby="paused-h">
<h2 id="paused-h">Paused</h2>
${paused.map((c) =>
  card(
    c,
    html`<p class="note">Paused ${formatDate(c.pausedAt)}: nobody can see this information with it until you resume it. Valid until ${formatDate(c.expiresAt)}.</p>
<div class="actions">${button(c, "resume", "Resume", "primary")}${button(c, "revoke", "Revoke", "danger")}</div>`,
  ),
)}
</section>`
}
${
  pending.length === 0
    ? ""
    : html`<section class="panel" aria-labelledby="pending-h">
<h2 id="pending-h">Waiting for your answer</h2>
${pending.map((c) =>
  card(c, html`<p class="note">Asked ${formatDate(c.createdAt)}. <a href="/consent/${c.consentId}">Answer this request</a></p>`),
)}
</section>`
}
<section class="panel" aria-labelledby="past-h">
<h2 id="past-h">Past</h2>
${
  past.length === 0
    ? html`<p class="muted">Nothing yet.</p>`
    : past.map((c) =>
        card(
          c,
          html`<p class="note">${
            c.status === "REVOKED"
              ? `Revoked ${formatDate(c.revokedAt)}.`
              : c.status === "SUPERSEDED"
                ? `The application asked again for other information (asked ${formatDate(c.createdAt)}).`
              : c.status === "REJECTED"
                ? `Refused ${formatDate(c.decidedAt)}.`
                : c.grantedAt === null
                  ? `Not answered in time (asked ${formatDate(c.createdAt)}).`
                  : `Ended ${formatDate(c.expiresAt)}.`
          }</p>`,
        ),
      )
}
</section>`,
    m.user,
    "/my/consents",
  );
}

