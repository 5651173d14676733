/** Field grants with their end dates, and revoking one (exchange administrators, or a data owner of its provider). */
import { html, type SafeHtml } from "@ndx/platform";
import type { Router } from "../http/router.ts";
import type { PageResponses } from "../http/responses.ts";
import { operations, type GrantView } from "../gateway/operations.ts";
import type { Staff } from "../staff.ts";
import { dataTable } from "./dataTable.ts";
import { badge, layout, tokenField, when } from "./layout.ts";

/** @param token form tokens for the revoke forms; without it, no forms. */
export function grantsTable(grants: readonly GrantView[], caption: string, token?: (action: string) => string): SafeHtml {
  return dataTable({
    id: "grants",
    className: "grants",
    caption: `${caption} (${grants.length})`,
    columns: ["Application", "Purpose", "Provider", "Field", "Ends", "Status", ...(token === undefined ? [] : ["Revoke"])],
    empty: "No grant.",
    rows: grants.map((g) => {
    const action = `/grants/${encodeURIComponent(g.id)}/revoke`;
    return html`<tr><td><a href="/applications/${encodeURIComponent(g.application.id)}">${g.application.name}</a></td><td>${g.purpose}</td><td>${g.provider}</td><td><code>${g.coordinate}</code></td>
<td>${when(g.endsAt)}</td><td>${badge(g.status)}${g.status === "REVOKED" ? html`<br><span class="muted">${g.revokedBy ?? ""}: ${g.revokeReason ?? ""}</span>` : ""}</td>
${token === undefined ? "" : html`<td>${g.status === "ACTIVE"
      ? html`<form method="post" action="${action}" class="inline">${tokenField(token(action))}<input type="hidden" name="application" value="${g.application.id}"><label class="visually-hidden" for="reason-${g.id}">Reason to revoke ${g.coordinate} of ${g.application.name}</label><input id="reason-${g.id}" name="reason" required placeholder="reason"><button class="danger small" type="submit">Revoke</button></form>`
      : ""}</td>`}</tr>`;
    }),
  });
}

/** One row per application, purpose and provider: how many fields, and when the first of them ends. */
function grantsSummary(grants: readonly GrantView[]): SafeHtml {
  const groups = new Map<string, GrantView[]>();
  for (const g of grants) {
    const key = `${g.application.id}\u0000${g.purpose}\u0000${g.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  return dataTable({
    id: "grants-summary",
    className: "grants-summary",
    caption: `Grants by application, purpose and provider (${groups.size})`,
    columns: ["Application", "Purpose", "Provider", "Fields", "First end"],
    empty: "No grant.",
    rows: [...groups.values()].map((list) => {
    const g = list[0] as GrantView;
    const first = list.map((x) => x.endsAt).sort()[0];
    return html`<tr><td><a href="/grants?application=${encodeURIComponent(g.application.id)}">${g.application.name}</a></td><td>${g.purpose}</td><td>${g.provider}</td><td>${list.length}</td><td>${when(first)}</td></tr>`;
    }),
  });
}

export function grantRoutes(router: Router, staff: Staff, { page, redirect }: PageResponses): void {
  router
    .add("GET", "/grants", staff.page(async ({ call, shell, token, url }) => {
      const includeEnded = url.searchParams.get("ended") === "1";
      const application = url.searchParams.get("application");
      const { grants } = await call<{ grants: GrantView[] }>(operations.grants, { application, includeEnded });
      const here = application === null ? "/grants?" : `/grants?application=${encodeURIComponent(application)}&`;
      return page(200, layout("Grants", html`<h1>Field grants${application === null ? "" : html` of ${grants[0]?.application.name ?? application}`}</h1>
${url.searchParams.get("notice") === "revoked" ? html`<p class="notice" role="status">The grant was revoked: the next query that reads the field is refused.</p>` : ""}
<p>${includeEnded ? html`<a href="${here.slice(0, -1)}">Only live grants</a>` : html`<a href="${here}ended=1">Also ended and revoked grants</a>`}${application === null ? "" : html` · <a href="/grants">All applications</a>`}</p>
${application === null ? grantsSummary(grants) : grantsTable(grants, includeEnded ? "All grants" : "Live grants", token)}`, shell));
    }))
    .add("POST", "/grants/:id/revoke", staff.page(async ({ call, params, form }) => {
      await call(operations.revoke, { id: params["id"], reason: (form.get("reason") ?? "").trim() });
      const application = form.get("application");
      return redirect(`/grants?${application === null ? "" : `application=${encodeURIComponent(application)}&`}notice=revoked`);
    }, () => "/grants"));
}
