/** My consents, in plain language: active ones (Pause, Revoke), paused ones (Resume, Revoke), requests, past ones. */
import type { FieldCatalogue } from "../catalogue.ts";
import type { ConsentView } from "../consentView.ts";
import { html, type SafeHtml } from "@ndx/platform";
import type { ConsentTexts } from "./consentTexts.ts";
import { layout, type SignedIn } from "./layout.ts";
import { fieldsByProvider } from "./pages.ts";
import { registeredPlain, registeredText } from "./registeredText.ts";
import type { Translator } from "./translator.ts";

/** A status in words (never by colour alone). */
function statusBadge(tr: Translator, status: ConsentView["status"]): SafeHtml {
  return html`<span class="status ${status === "ACTIVE" ? "active" : "ended"}">${tr.t("status.label", { status })}</span>`;
}

export interface MyConsentsModel {
  readonly consents: readonly ConsentView[];
  readonly catalogue: FieldCatalogue;
  /** The application's name and the purpose's text as registered with the exchange, with their translations. */
  readonly texts: (consent: ConsentView) => ConsentTexts;
  readonly user: SignedIn;
  /** `${action}:${consentId}` → one-time token of that form (revoke, pause, resume). */
  readonly formTokens: ReadonlyMap<string, string>;
  /** The action just done (revoked, paused, resumed), said once at the top. */
  readonly notice?: "revoked" | "paused" | "resumed" | undefined;
  /** Whose consent it is when not the signed-in person's: a child they are the guardian of (guardianPages.ts). @default none */
  readonly forWhom?: ((consent: ConsentView) => SafeHtml | undefined) | undefined;
  /** A warning at the top (e.g. children's requests could not be checked). @default none */
  readonly warning?: string | undefined;
}

/** What happened to a consent no longer active or waiting, in words. */
function pastNote(tr: Translator, c: ConsentView): string {
  if (c.status === "REVOKED") return tr.t("myConsents.revokedAt", { date: tr.date(c.revokedAt) });
  if (c.status === "SUPERSEDED") return tr.t("myConsents.replacedAt", { date: tr.date(c.createdAt) });
  if (c.status === "REJECTED") return tr.t("myConsents.refusedAt", { date: tr.date(c.decidedAt) });
  if (c.grantedAt === null) return tr.t("myConsents.unansweredAt", { date: tr.date(c.createdAt) });
  return tr.t("myConsents.endedAt", { date: tr.date(c.expiresAt) });
}

export function myConsentsPage(tr: Translator, m: MyConsentsModel): string {
  const active = m.consents.filter((c) => c.status === "ACTIVE");
  const pending = m.consents.filter((c) => c.status === "PENDING");
  const paused = m.consents.filter((c) => c.status === "PAUSED");
  const past = m.consents.filter((c) => !["ACTIVE", "PENDING", "PAUSED"].includes(c.status));
  const about = (c: ConsentView) => {
    const texts = m.texts(c);
    return { app: registeredPlain(tr, texts.name), purpose: registeredPlain(tr, texts.purpose) };
  };
  const button = (c: ConsentView, action: "pause" | "resume" | "revoke", style: string) => html`<form method="post" action="/my/consents/${c.consentId}/${action}">
  <input type="hidden" name="token" value="${m.formTokens.get(`${action}:${c.consentId}`) ?? ""}">
  <button class="${style}" type="submit" aria-label="${tr.t("myConsents.actionLabel", { action, ...about(c) })}">${tr.t("myConsents.action", { action })}</button>
</form>`;
  const card = (c: ConsentView, extra: SafeHtml | string) => html`<article class="consent-card" aria-labelledby="c-${c.consentId}">
<h3 id="c-${c.consentId}">${registeredText(tr, m.texts(c).name)} ${statusBadge(tr, c.status)}</h3>
${m.forWhom?.(c) ?? ""}
<p>${registeredText(tr, m.texts(c).purpose)}</p>
${fieldsByProvider(tr, c, m.catalogue, 4)}
${extra}
${c.grantedAt === null ? "" : html`<p class="note"><a href="/my/consents/${c.consentId}/receipt">${tr.t("myConsents.receipt")}<span class="visually-hidden"> ${tr.t("myConsents.receiptFor", about(c))}</span></a></p>`}
</article>`;
  return layout(
    tr,
    tr.t("layout.myConsents"),
    html`<h1>${tr.t("layout.myConsents")}</h1>
${m.notice === undefined ? "" : html`<p class="notice" role="status">${tr.t("myConsents.notice", { notice: m.notice })}</p>`}
${m.warning === undefined ? "" : html`<p class="problem" role="alert">${m.warning}</p>`}
${
  pending.length === 0
    ? ""
    : html`<p class="notice" id="waiting">${tr.rich("myConsents.waiting", { count: pending.length, link: (chunks) => html`<a href="#pending-h">${chunks}</a>` })}</p>`
}
<section class="panel" aria-labelledby="active-h">
<h2 id="active-h">${tr.t("myConsents.active")}</h2>
${
  active.length === 0
    ? html`<p class="muted">${tr.t("myConsents.noneActive")}</p>`
    : active.map((c) =>
        card(
          c,
          html`<p class="note">${tr.t("myConsents.givenUntil", { given: tr.date(c.grantedAt), until: tr.date(c.expiresAt) })}</p>
<div class="actions">${button(c, "pause", "secondary")}${button(c, "revoke", "danger")}</div>`,
        ),
      )
}
</section>
${
  paused.length === 0
    ? ""
    : html`<section class="panel" aria-labelledby="paused-h">
<h2 id="paused-h">${tr.t("myConsents.paused")}</h2>
${paused.map((c) =>
  card(
    c,
    html`<p class="note">${tr.t("myConsents.pausedUntil", { paused: tr.date(c.pausedAt), until: tr.date(c.expiresAt) })}</p>
<div class="actions">${button(c, "resume", "primary")}${button(c, "revoke", "danger")}</div>`,
  ),
)}
</section>`
}
${
  pending.length === 0
    ? ""
    : html`<section class="panel" aria-labelledby="pending-h">
<h2 id="pending-h" tabindex="-1">${tr.t("myConsents.pending")}</h2>
${pending.map((c) =>
  card(c, html`<p class="note">${tr.t("myConsents.askedAt", { date: tr.date(c.createdAt) })} <a href="/consent/${c.consentId}">${tr.t("myConsents.answer")}<span class="visually-hidden"> ${tr.t("myConsents.receiptFor", about(c))}</span></a></p>`),
)}
</section>`
}
<section class="panel" aria-labelledby="past-h">
<h2 id="past-h">${tr.t("myConsents.past")}</h2>
${past.length === 0 ? html`<p class="muted">${tr.t("myConsents.nonePast")}</p>` : past.map((c) => card(c, html`<p class="note">${pastNote(tr, c)}</p>`))}
</section>`,
    m.user,
    "/my/consents",
  );
}
