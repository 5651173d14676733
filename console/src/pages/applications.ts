/**
 * Applications: the list, registering one (its OAuth client is made by the exchange through the identity provider),
 * one application with its purposes and grants, secret rotation, suspension and reinstatement. A client secret is
 * shown once, on the answer to the POST that made it (never stored by the console, never cached: every page is
 * no-store), and never on any other page.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { Router } from "../http/router.ts";
import type { PageResponses } from "../http/responses.ts";
import { operations, type ApplicationView, type CredentialsView, type GrantView } from "../gateway/operations.ts";
import { GatewayError } from "../gateway/gatewayClient.ts";
import type { Staff } from "../staff.ts";
import { correctable } from "./problem.ts";
import { applicationForm, applicationInput, textLanguages } from "./applicationForm.ts";
import { dataTable } from "./dataTable.ts";
import { grantsTable } from "./grants.ts";
import { translationsForm, translationsInput } from "./translationsForm.ts";
import { badge, layout, tokenField, when, type Shell } from "./layout.ts";
import { applicationsTable } from "./members.ts";

/** The forms are offered by role; the gateway's policy and the exchange decide what really happens. */
const memberAdmin = (roles: readonly string[]) => roles.includes("member_admin");

const notices: Readonly<Record<string, string>> = {
  suspended: "The application is suspended.",
  reinstated: "The application is active again.",
  translated: "The translations were saved; the consent portal shows them on its next page.",
};

const languageName = (tag: string): string => {
  const known = textLanguages.find((l) => l.tag === tag);
  return known === undefined ? tag : `${known.name} (${tag})`;
};

/** Translations, each marked with its language (and direction) for screen readers; "none" when there are none. */
const translationList = (translations: readonly { language: string; text: string }[]): SafeHtml | string =>
  translations.length === 0
    ? "none (the registered text is shown)"
    : html`<ul>${translations.map((t) => html`<li>${languageName(t.language)}: <span lang="${t.language}" dir="auto">${t.text}</span></li>`)}</ul>`;

function credentialsPage(c: CredentialsView, shell: Shell, rotated: boolean): string {
  return layout(rotated ? "New client secret" : "Application registered", html`<h1>${rotated ? "A new client secret" : "The application is registered"}</h1>
<div class="panel secret">
<dl class="facts"><dt>Application</dt><dd>${c.application.name}</dd><dt>Client id</dt><dd><code id="client-id">${c.clientId}</code></dd>
<dt>Token endpoint</dt><dd><code>${c.tokenEndpoint}</code></dd></dl>
${c.clientSecret === null
    ? html`<p>This application signs its token requests with its own key (private_key_jwt): there is no secret to show.</p>`
    : html`<h2>Client secret</h2>
<p class="warning" role="alert"><strong>Copy it now.</strong> This is the only time it is shown: the exchange keeps no copy, and this page cannot be shown again.${rotated ? " The previous secret no longer works." : ""}</p>
<label for="client-secret">Client secret</label><input id="client-secret" class="secret-value" readonly value="${c.clientSecret}" autocomplete="off" spellcheck="false">`}
</div>
<p><a href="/applications/${encodeURIComponent(c.application.id)}">Go to the application</a></p>`, shell);
}

export function applicationRoutes(router: Router, staff: Staff, { page, redirect }: PageResponses): void {
  router
    .add("GET", "/applications", staff.page(async ({ call, shell, url }) => {
      const member = url.searchParams.get("member");
      const { applications } = await call<{ applications: ApplicationView[] }>(operations.applications, { member });
      return page(200, layout("Applications", html`<h1>Applications</h1>
<p><a class="button primary" href="/applications/new${member === null ? "" : `?member=${encodeURIComponent(member)}`}">Register an application</a></p>
${applicationsTable(applications, member === null ? "Applications you can see" : `Applications of ${member}`)}`, shell));
    }))
    .add("GET", "/applications/new", staff.page(async ({ shell, token, url }) =>
      page(200, applicationForm(shell, token("/applications"), new URLSearchParams({ member: url.searchParams.get("member") ?? "" }))),
    ))
    .add("POST", "/applications", staff.page(async ({ call, form, shell, token }) => {
      const input = applicationInput(form);
      try {
        const { registerApplication } = await call<{ registerApplication: CredentialsView }>(operations.registerApplication, { input });
        return page(201, credentialsPage(registerApplication, { ...shell, current: "/applications" }, false));
      } catch (error) {
        if (error instanceof GatewayError && correctable(error)) return page(error.code === "CONFLICT" ? 409 : 400, applicationForm(shell, token("/applications"), form, error));
        throw error;
      }
    }, () => "/applications/new"))
    .add("GET", "/applications/:id", staff.page(async ({ call, shell, params, token, url, user }) => {
      const id = params["id"] ?? "";
      const { application: a } = await call<{ application: (ApplicationView & { grants: GrantView[] }) | null }>(operations.application, { id });
      if (a === null) return page(404, layout("Not found", html`<h1>No such application</h1><p><a href="/applications">All applications</a></p>`, shell));
      const base = `/applications/${encodeURIComponent(a.id)}`;
      const notice = url.searchParams.get("notice");
      return page(200, layout(a.name, html`<h1>${a.name} ${badge(a.status)}</h1>
${notice === null ? "" : html`<p class="notice" role="status">${notices[notice] ?? "Done."}</p>`}
<dl class="facts"><dt>Client id</dt><dd><code>${a.id}</code></dd><dt>Member</dt><dd>${a.member.name} (${a.member.code})</dd>
<dt>Description</dt><dd>${a.description}</dd><dt>Registered in</dt><dd>${languageName(a.language)}</dd>
<dt>Name in other languages</dt><dd>${translationList(a.nameTranslations)}</dd><dt>Authentication</dt><dd>${a.authMethod === "PRIVATE_KEY_JWT" ? "private_key_jwt" : "client_secret_basic"} (${a.clientRegistration.toLowerCase()} client)</dd>
<dt>Secret issued</dt><dd>${when(a.secretIssuedAt)}</dd><dt>Redirect URIs</dt><dd>${a.redirectUris.length === 0 ? "—" : html`<ul>${a.redirectUris.map((u) => html`<li><code>${u}</code></li>`)}</ul>`}</dd>
${a.suspendedReason === null ? "" : html`<dt>Suspended because</dt><dd>${a.suspendedReason}</dd>`}</dl>
<h2>Purposes</h2>
${dataTable({
  id: "purposes",
  caption: `Purposes of ${a.name}`,
  columns: ["Code", "What citizens read", "In other languages", "Legal basis", "Longest consent", "Longest grant"],
  rows: a.purposes.map((p) => html`<tr><td><code>${p.code}</code></td><td lang="${a.language}">${p.text}</td><td>${translationList(p.translations)}</td><td>${p.legalBasis}</td><td>${p.maxConsentDays} days</td><td>${p.maxGrantDays} days</td></tr>`),
})}
${memberAdmin(user.roles) ? html`<h2>Translations</h2>${translationsForm(a, `${base}/translations`, token(`${base}/translations`))}` : ""}
<h2>Field grants</h2>
${memberAdmin(user.roles) ? html`<p><a class="button" href="${base}/request">Request fields</a></p>` : ""}
${grantsTable(a.grants, `Grants of ${a.name}`, token)}
<h2>Actions</h2>
<div class="actions-grid">
${a.authMethod === "CLIENT_SECRET_BASIC" && memberAdmin(user.roles) ? html`<form method="post" action="${base}/rotate" class="panel">${tokenField(token(`${base}/rotate`))}<p>Issue a new client secret. The current one stops working.</p><button class="secondary" type="submit">Rotate secret</button></form>` : ""}
${!user.roles.includes("exchange_admin")
    ? ""
    : a.status === "ACTIVE"
    ? html`<form method="post" action="${base}/suspend" class="panel">${tokenField(token(`${base}/suspend`))}<label for="reason">Reason for suspending</label><input id="reason" name="reason" required><p class="note">Its next request is refused by every gateway.</p><button class="danger" type="submit">Suspend</button></form>`
    : html`<form method="post" action="${base}/reinstate" class="panel">${tokenField(token(`${base}/reinstate`))}<button class="primary" type="submit">Reinstate</button></form>`}
</div>`, { ...shell, current: "/applications" }));
    }))
    .add("POST", "/applications/:id/translations", staff.page(async ({ call, params, form }) => {
      const { application: a } = await call<{ application: ApplicationView | null }>(operations.application, { id: params["id"] });
      if (a === null) return page(404, layout("Not found", html`<h1>No such application</h1><p><a href="/applications">All applications</a></p>`));
      await call(operations.setTranslations, translationsInput(a, form));
      return redirect(`/applications/${encodeURIComponent(a.id)}?notice=translated`);
    }))
    .add("POST", "/applications/:id/rotate", staff.page(async ({ call, params, shell }) => {
      const { rotateApplicationSecret } = await call<{ rotateApplicationSecret: CredentialsView }>(operations.rotateSecret, { id: params["id"] });
      return page(200, credentialsPage(rotateApplicationSecret, { ...shell, current: "/applications" }, true));
    }))
    .add("POST", "/applications/:id/suspend", staff.page(async ({ call, params, form }) => {
      await call(operations.suspend, { id: params["id"], reason: (form.get("reason") ?? "").trim() });
      return redirect(`/applications/${encodeURIComponent(params["id"] ?? "")}?notice=suspended`);
    }))
    .add("POST", "/applications/:id/reinstate", staff.page(async ({ call, params }) => {
      await call(operations.reinstate, { id: params["id"] });
      return redirect(`/applications/${encodeURIComponent(params["id"] ?? "")}?notice=reinstated`);
    }));
}
