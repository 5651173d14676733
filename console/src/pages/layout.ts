/** The page shell every console page shares: the header with the pages the person's roles use, sign-out, main. */
import { html, type SafeHtml } from "@ndx/platform";
import type { StaffUser } from "../http/sessions.ts";

export interface Shell {
  readonly user: StaffUser;
  /** Form token of the sign-out form. */
  readonly logoutToken: string;
  /** The current page's path, marked in the navigation. */
  readonly current: string;
}

const links: readonly { href: string; text: string; roles: readonly string[] }[] = [
  { href: "/members", text: "Members", roles: ["exchange_admin"] },
  { href: "/applications", text: "Applications", roles: ["exchange_admin", "member_admin"] },
  { href: "/requests", text: "Grant requests", roles: ["exchange_admin", "member_admin", "provider_data_owner"] },
  { href: "/reviews", text: "My reviews", roles: ["exchange_admin", "provider_data_owner"] },
  { href: "/grants", text: "Grants", roles: ["exchange_admin", "member_admin", "provider_data_owner"] },
  { href: "/charts", text: "Charts", roles: ["exchange_admin"] },
];

/** The pages this person's roles use (the gateway's policy decides what they may really do). */
export function pagesFor(roles: readonly string[]): readonly { href: string; text: string }[] {
  return links.filter((l) => l.roles.some((r) => roles.includes(r)));
}

export function layout(title: string, body: SafeHtml, shell?: Shell, scripts: readonly string[] = []): string {
  const nav =
    shell === undefined
      ? ""
      : html`<nav aria-label="Console">
    ${pagesFor(shell.user.roles).map(
      (l) => html`<a href="${l.href}"${shell.current === l.href || shell.current.startsWith(`${l.href}/`) ? html` aria-current="page"` : ""}>${l.text}</a>`,
    )}
  </nav>
  <div class="who"><span>Signed in as <strong>${shell.user.name}</strong> (${shell.user.roles.join(", ") || "no role"})</span>
    <form method="post" action="/logout"><input type="hidden" name="token" value="${shell.logoutToken}"><button class="link" type="submit">Sign out</button></form></div>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — NDX admin console</title>
<link rel="stylesheet" href="/static/console.css">
${scripts.map((src) => html`<script src="${src}" defer></script>\n`)}
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site"><div class="inner">
  <a class="brand" href="/">NDX admin console</a>
  ${nav}
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`.value;
}

/** A date-time as people read it, in UTC (the exchange's records are in UTC). */
export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const badge = (status: string): SafeHtml => html`<span class="badge ${status.toLowerCase()}">${status.replaceAll("_", " ").toLowerCase()}</span>`;

/** A hidden form-token field. */
export const tokenField = (token: string): SafeHtml => html`<input type="hidden" name="token" value="${token}">`;

export function messagePage(title: string, message: string | SafeHtml, shell?: Shell, link?: { href: string; text: string }): string {
  return layout(
    title,
    html`<h1>${title}</h1><div class="panel"><p>${message}</p>${link === undefined ? "" : html`<p><a href="${link.href}">${link.text}</a></p>`}</div>`,
    shell,
  );
}
