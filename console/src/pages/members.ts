/** Members: the list, registering one with its people (exchange administrators), and one member with its applications. */
import { html } from "@ndx/platform";
import type { Router } from "../http/router.ts";
import type { PageResponses } from "../http/responses.ts";
import type { ApplicationView, MemberView } from "../gateway/operations.ts";
import { operations } from "../gateway/operations.ts";
import type { Staff } from "../staff.ts";
import { GatewayError } from "../gateway/gatewayClient.ts";
import { badge, layout, tokenField, when, type Shell } from "./layout.ts";
import { dataTable } from "./dataTable.ts";
import { correctable, problemBox, problemId } from "./problem.ts";

const roleText = { MEMBER_ADMIN: "member administrator", PROVIDER_DATA_OWNER: "provider data owner" } as const;
/** Rows for people on the registration form. */
const personRows = 3;

/** The registration form; after a correctable refusal, again with what was typed and the refusal above it. */
/** The id of the control an exchange refusal's `field` names (`code`, `people[1].username`...), read against the form sent. */
function controlOf(field: string | undefined, values: URLSearchParams | undefined): string | undefined {
  const top = field === undefined ? null : /^(code|name|contactEmail|providers)\b/.exec(field);
  if (top !== null) return top[1];
  const person = field === undefined ? null : /^people(?:\[(\d+)\](?:\.(username|role))?)?/.exec(field);
  if (person === null) return undefined;
  const rows = Array.from({ length: personRows }, (_, i) => i).filter((i) => (values?.get(`person${i}`) ?? "").trim() !== "");
  const row = rows[Number(person[1] ?? 0)] ?? 0;
  return person[2] === "role" ? `role${row}` : `person${row}`;
}

function memberForm(shell: Shell, token: string, values?: URLSearchParams, error?: GatewayError): string {
  const v = (name: string) => values?.get(name) ?? "";
  const role = (i: number, r: string) => (v(`role${i}`) === r ? html` selected` : "");
  const invalid = error === undefined ? undefined : controlOf(error.field, values);
  /** A control's id and name; when the refusal names it, invalid, described by the refusal (and its help), focused. */
  const control = (id: string, help?: string) => {
    const describedBy = [...(id === invalid ? [problemId] : []), ...(help === undefined ? [] : [help])].join(" ");
    return html`id="${id}" name="${id}"${describedBy === "" ? "" : html` aria-describedby="${describedBy}"`}${id === invalid ? html` aria-invalid="true" autofocus` : ""}`;
  };
  return layout("Register a member", html`<h1>Register a member</h1>
${error === undefined ? "" : problemBox(error, invalid)}
<form method="post" action="/members" class="panel">
${tokenField(token)}
<label for="code">Code</label><input ${control("code", "code-help")} required value="${v("code")}"><p class="note" id="code-help">Upper-case letters, digits and hyphens, e.g. MOH.</p>
<label for="name">Name</label><input ${control("name")} required value="${v("name")}">
<label for="contactEmail">Contact e-mail</label><input ${control("contactEmail")} type="email" required value="${v("contactEmail")}">
<label for="providers">Providers it operates (subgraph names, comma-separated; empty for a consumer-only member)</label><input ${control("providers")} value="${v("providers")}">
<fieldset><legend>People (accounts at the identity provider)</legend>
${Array.from({ length: personRows }, (_, i) => html`<div class="row">
<label for="person${i}">Username ${i + 1}</label><input ${control(`person${i}`)} value="${v(`person${i}`)}">
<label for="role${i}">Role ${i + 1}</label><select ${control(`role${i}`)}><option value="MEMBER_ADMIN"${role(i, "MEMBER_ADMIN")}>member administrator</option><option value="PROVIDER_DATA_OWNER"${role(i, "PROVIDER_DATA_OWNER")}>provider data owner</option></select>
</div>`)}
</fieldset>
<div class="actions"><button class="primary" type="submit">Register member</button></div>
</form>`, shell);
}

export function memberRoutes(router: Router, staff: Staff, { page, redirect }: PageResponses): void {
  router
    .add("GET", "/members", staff.page(async ({ call, shell }) => {
      const { members } = await call<{ members: MemberView[] }>(operations.members);
      return page(200, layout("Members", html`<h1>Members</h1>
<p><a class="button primary" href="/members/new">Register a member</a></p>
${dataTable({
  id: "members",
  caption: `The exchange's members (${members.length})`,
  columns: ["Code", "Name", "Provides", "People", "Since"],
  rows: members.map((m) => html`<tr><td><a href="/members/${encodeURIComponent(m.code)}">${m.code}</a></td><td>${m.name}</td><td>${m.providers.join(", ") || "—"}</td>
<td>${m.people.map((p) => html`${p.username} (${roleText[p.role]})<br>`)}</td><td>${when(m.createdAt)}</td></tr>`),
})}`, shell));
    }))
    .add("GET", "/members/new", staff.page(async ({ shell, token }) => page(200, memberForm(shell, token("/members")))))
    .add("POST", "/members", staff.page(async ({ call, form, shell, token }) => {
      const people = Array.from({ length: personRows }, (_, i) => ({ username: (form.get(`person${i}`) ?? "").trim(), role: form.get(`role${i}`) ?? "" }))
        .filter((p) => p.username !== "");
      const providers = (form.get("providers") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
      const input = { code: (form.get("code") ?? "").trim(), name: (form.get("name") ?? "").trim(), contactEmail: (form.get("contactEmail") ?? "").trim(), providers, people };
      try {
        const { registerMember } = await call<{ registerMember: { code: string } }>(operations.registerMember, { input });
        return redirect(`/members/${encodeURIComponent(registerMember.code)}?notice=registered`);
      } catch (error) {
        if (error instanceof GatewayError && correctable(error)) return page(error.code === "CONFLICT" ? 409 : 400, memberForm(shell, token("/members"), form, error));
        throw error;
      }
    }, () => "/members/new"))
    .add("GET", "/members/:code", staff.page(async ({ call, shell, params, url }) => {
      const { member } = await call<{ member: (MemberView & { applications: ApplicationView[] }) | null }>(operations.member, { code: params["code"] });
      if (member === null) return page(404, layout("Not found", html`<h1>No such member</h1><p><a href="/members">All members</a></p>`, shell));
      return page(200, layout(member.name, html`<h1>${member.name} <span class="muted">(${member.code})</span></h1>
${url.searchParams.get("notice") === "registered" ? html`<p class="notice" role="status">The member was registered.</p>` : ""}
<dl class="facts"><dt>Contact</dt><dd>${member.contactEmail}</dd><dt>Provides</dt><dd>${member.providers.join(", ") || "—"}</dd><dt>Since</dt><dd>${when(member.createdAt)}</dd></dl>
<h2>People</h2>
<ul>${member.people.map((p) => html`<li>${p.username} — ${roleText[p.role]}</li>`)}</ul>
<h2>Applications</h2>
<p><a class="button" href="/applications/new?member=${encodeURIComponent(member.code)}">Register an application</a></p>
${applicationsTable(member.applications, `Applications of ${member.code}`)}`, shell));
    }));
}

export function applicationsTable(applications: readonly ApplicationView[], caption: string) {
  return dataTable({
    id: "applications",
    caption: `${caption} (${applications.length})`,
    columns: ["Application", "Member", "Purposes", "Status", "Registered"],
    rows: applications.map((a) => html`<tr><td><a href="/applications/${encodeURIComponent(a.id)}">${a.name}</a><br><span class="muted">${a.id}</span></td><td>${a.member.code}</td>
<td>${a.purposes.map((p) => p.code).join(", ")}</td><td>${badge(a.status)}</td><td>${when(a.createdAt)}</td></tr>`),
    empty: "No application yet.",
  });
}
