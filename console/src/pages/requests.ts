/**
 * Grant requests: asking for fields of the live supergraph (picked from `exchangeFields`, grouped by provider with
 * their data class), the list, one request with its parts, the provider data owners' reviews of their parts, the
 * exchange administrator's decision, and withdrawing. Who may do which is the gateway's policy and the exchange's
 * rule (maker-checker); the forms are offered by role and the refusals shown as they come.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { Router } from "../http/router.ts";
import type { PageResponses } from "../http/responses.ts";
import { operations, type ApplicationView, type FieldView, type GrantRequestView, type MemberView } from "../gateway/operations.ts";
import type { StaffRequest, Staff } from "../staff.ts";
import { dataTable } from "./dataTable.ts";
import { badge, layout, tokenField, when } from "./layout.ts";

const dayMs = 86_400_000;

function requestsTable(requests: readonly GrantRequestView[], caption: string): SafeHtml {
  return dataTable({
    id: "requests",
    caption: `${caption} (${requests.length})`,
    columns: ["Request", "Application", "Purpose", "Providers", "Ends", "Status", "Asked by"],
    empty: "No request.",
    rows: requests.map((r) => html`<tr><td><a href="/requests/${encodeURIComponent(r.id)}">${r.id}</a></td><td>${r.application.name}</td><td>${r.purpose}</td>
<td>${r.parts.map((p) => html`${p.provider} ${badge(p.status)}<br>`)}</td><td>${when(r.endsAt)}</td><td>${badge(r.status)}</td><td>${r.requestedBy}<br><span class="muted">${when(r.requestedAt)}</span></td></tr>`),
  });
}

function fieldPicker(fields: readonly FieldView[]): SafeHtml {
  const providers = [...new Set(fields.map((f) => f.provider))].sort();
  return html`${providers.map((provider) => html`<fieldset class="fields"><legend>From ${provider}</legend>
${fields.filter((f) => f.provider === provider).map((f, i) => {
    const id = `f-${provider}-${i}`;
    return html`<div class="check"><input type="checkbox" id="${id}" name="field" value="${provider}|${f.coordinate}">
<label for="${id}"><code>${f.coordinate}</code> <span class="class ${f.dataClass.toLowerCase()}">${f.dataClass}</span>${f.description === null ? "" : html` <span class="muted">${f.description}</span>`}</label></div>`;
  })}</fieldset>`)}`;
}

/** @param ownProviders the providers whose data owner the signed-in person is. */
function reviewForms(r: GrantRequestView, s: StaffRequest, ownProviders: ReadonlySet<string>): SafeHtml {
  const base = `/requests/${encodeURIComponent(r.id)}`;
  const roles = s.user.roles;
  const open = r.status === "PROVIDER_REVIEW" || r.status === "EXCHANGE_REVIEW";
  return html`${r.status === "PROVIDER_REVIEW" && roles.includes("provider_data_owner")
    ? r.parts.filter((p) => p.status === "PENDING" && ownProviders.has(p.provider)).map((p) => html`<form method="post" action="${base}/review" class="panel">
${tokenField(s.token(`${base}/review`))}<input type="hidden" name="provider" value="${p.provider}">
<h3>Review the ${p.provider} part</h3>
<label for="comment-${p.provider}">Comment (optional)</label><input id="comment-${p.provider}" name="comment">
<div class="actions"><button class="primary" type="submit" name="decision" value="approve">Approve the ${p.provider} part</button><button class="danger" type="submit" name="decision" value="reject">Reject the ${p.provider} part</button></div>
</form>`)
    : ""}
${r.status === "EXCHANGE_REVIEW" && roles.includes("exchange_admin")
    ? html`<form method="post" action="${base}/decide" class="panel">${tokenField(s.token(`${base}/decide`))}
<h3>The exchange's decision</h3><p>Every provider approved its part. Approving makes the grants live on every gateway.</p>
<label for="comment">Comment (optional)</label><input id="comment" name="comment">
<div class="actions"><button class="primary" type="submit" name="decision" value="approve">Approve request</button><button class="danger" type="submit" name="decision" value="reject">Reject request</button></div>
</form>`
    : ""}
${open && r.requestedBy === s.user.username
    ? html`<form method="post" action="${base}/withdraw" class="panel">${tokenField(s.token(`${base}/withdraw`))}<button class="secondary" type="submit">Withdraw this request</button></form>`
    : ""}`;
}

/** The providers of the members this person is a data owner of (none unless they have that role). */
async function ownProviders(s: StaffRequest): Promise<ReadonlySet<string>> {
  if (!s.user.roles.includes("provider_data_owner")) return new Set();
  const { members } = await s.call<{ members: Pick<MemberView, "providers" | "people">[] }>(operations.people);
  const mine = members.filter((m) => m.people.some((p) => p.username === s.user.username && p.role === "PROVIDER_DATA_OWNER"));
  return new Set(mine.flatMap((m) => m.providers));
}

export function requestRoutes(router: Router, staff: Staff, { page, redirect }: PageResponses): void {
  const requestPage = (id: string) => `/requests/${encodeURIComponent(id)}`;
  router
    .add("GET", "/applications/:id/request", staff.page(async ({ call, shell, params, token }) => {
      const id = params["id"] ?? "";
      const [{ application: a }, { exchangeFields }] = await Promise.all([
        call<{ application: ApplicationView | null }>(operations.application, { id }),
        call<{ exchangeFields: FieldView[] }>(operations.exchangeFields),
      ]);
      if (a === null) return page(404, layout("Not found", html`<h1>No such application</h1>`, shell));
      const action = `/applications/${encodeURIComponent(a.id)}/request`;
      const suggested = new Date(Date.now() + 90 * dayMs).toISOString().slice(0, 10);
      return page(200, layout("Request fields", html`<h1>Request fields for ${a.name}</h1>
<form method="post" action="${action}" class="panel">${tokenField(token(action))}
<label for="purpose">Purpose</label><select id="purpose" name="purpose">${a.purposes.map((p) => html`<option value="${p.code}">${p.code} — ${p.text} (grants up to ${p.maxGrantDays} days)</option>`)}</select>
<h2>Fields</h2><p class="note">Each provider's data owner reviews the fields of their provider; then an exchange administrator decides.</p>
${fieldPicker(exchangeFields)}
<label for="justification">Why the application needs them</label><textarea id="justification" name="justification" rows="3" required></textarea>
<label for="endsAt">Grants end on (UTC)</label><input id="endsAt" name="endsAt" type="date" required value="${suggested}">
<div class="actions"><button class="primary" type="submit">Send the request</button></div>
</form>`, { ...shell, current: "/applications" }));
    }))
    .add("POST", "/applications/:id/request", staff.page(async ({ call, params, form }) => {
      const fields = form.getAll("field").map((v) => {
        const [provider = "", coordinate = ""] = v.split("|");
        return { provider, coordinate };
      });
      const date = form.get("endsAt") ?? "";
      const endsAt = /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T23:59:59.000Z` : date;
      const input = { application: params["id"], purpose: form.get("purpose") ?? "", fields, justification: (form.get("justification") ?? "").trim(), endsAt };
      const { requestFieldGrant } = await call<{ requestFieldGrant: { id: string } }>(operations.requestGrant, { input });
      return redirect(`${requestPage(requestFieldGrant.id)}?notice=sent`);
    }, (p) => `/applications/${encodeURIComponent(p["id"] ?? "")}/request`))
    .add("GET", "/requests", staff.page(async ({ call, shell, url }) => {
      const status = url.searchParams.get("status");
      const { grantRequests } = await call<{ grantRequests: GrantRequestView[] }>(operations.grantRequests, { status: status === "" ? null : status });
      return page(200, layout("Grant requests", html`<h1>Grant requests</h1>${requestsTable(grantRequests, "Grant requests you can see, newest first")}`, shell));
    }))
    .add("GET", "/reviews", staff.page(async ({ call, shell, user }) => {
      const mine: GrantRequestView[] = [];
      if (user.roles.includes("provider_data_owner")) {
        const { grantRequests } = await call<{ grantRequests: GrantRequestView[] }>(operations.grantRequests, { status: "PROVIDER_REVIEW" });
        mine.push(...grantRequests.filter((r) => r.requestedBy !== user.username && r.parts.some((p) => p.status === "PENDING")));
      }
      if (user.roles.includes("exchange_admin")) {
        const { grantRequests } = await call<{ grantRequests: GrantRequestView[] }>(operations.grantRequests, { status: "EXCHANGE_REVIEW" });
        mine.push(...grantRequests.filter((r) => r.requestedBy !== user.username));
      }
      return page(200, layout("My reviews", html`<h1>Waiting for your review</h1>${requestsTable(mine, "Requests waiting for you")}`, shell));
    }))
    .add("GET", "/requests/:id", staff.page(async (s) => {
      const { grantRequest: r } = await s.call<{ grantRequest: GrantRequestView | null }>(operations.grantRequest, { id: s.params["id"] });
      if (r === null) return page(404, layout("Not found", html`<h1>No such request</h1>`, s.shell));
      const notice = s.url.searchParams.get("notice");
      return page(200, layout(`Request ${r.id}`, html`<h1>Grant request ${badge(r.status)}</h1>
${notice === null ? "" : html`<p class="notice" role="status">${notice === "sent" ? "The request was sent for review." : "Your answer was recorded."}</p>`}
<dl class="facts"><dt>Application</dt><dd><a href="/applications/${encodeURIComponent(r.application.id)}">${r.application.name}</a> (${r.application.member.code})</dd>
<dt>Purpose</dt><dd>${r.purpose}</dd><dt>Why</dt><dd>${r.justification}</dd><dt>Ends</dt><dd>${when(r.endsAt)}</dd>
<dt>Asked by</dt><dd>${r.requestedBy}, ${when(r.requestedAt)}</dd>
${r.decidedBy === null ? "" : html`<dt>Decided by</dt><dd>${r.decidedBy}, ${when(r.decidedAt)}${r.comment === null ? "" : html` — ${r.comment}`}</dd>`}</dl>
<h2>Parts</h2>
${r.parts.map((p) => html`<section class="panel part"><h3>${p.provider} ${badge(p.status)}</h3>
<ul>${p.fields.map((f) => html`<li><code>${f.coordinate}</code> <span class="class ${f.dataClass.toLowerCase()}">${f.dataClass}</span></li>`)}</ul>
${p.reviewedBy === null ? "" : html`<p class="muted">Reviewed by ${p.reviewedBy}, ${when(p.reviewedAt)}${p.comment === null ? "" : html` — ${p.comment}`}</p>`}</section>`)}
${reviewForms(r, s, await ownProviders(s))}`, { ...s.shell, current: "/requests" }));
    }))
    .add("POST", "/requests/:id/review", staff.page(async ({ call, params, form }) => {
      const comment = (form.get("comment") ?? "").trim();
      await call(operations.review, { id: params["id"], provider: form.get("provider") ?? "", approve: form.get("decision") === "approve", comment: comment === "" ? null : comment });
      return redirect(`${requestPage(params["id"] ?? "")}?notice=answered`);
    }, (p) => requestPage(p["id"] ?? "")))
    .add("POST", "/requests/:id/decide", staff.page(async ({ call, params, form }) => {
      const comment = (form.get("comment") ?? "").trim();
      await call(operations.decide, { id: params["id"], approve: form.get("decision") === "approve", comment: comment === "" ? null : comment });
      return redirect(`${requestPage(params["id"] ?? "")}?notice=answered`);
    }, (p) => requestPage(p["id"] ?? "")))
    .add("POST", "/requests/:id/withdraw", staff.page(async ({ call, params }) => {
      await call(operations.withdraw, { id: params["id"] });
      return redirect(`${requestPage(params["id"] ?? "")}?notice=answered`);
    }, (p) => requestPage(p["id"] ?? "")));
}
