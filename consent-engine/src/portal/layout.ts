/**
 * The page shell every portal page shares, in the request's language (`lang`, `dir`): a skip link first, the header
 * (banner) with the language switch and, when signed in, the account navigation and sign-out; the main landmark; a
 * footer.
 */
import { html, type SafeHtml } from "@ndx/platform";
import { localeNames, locales } from "./locales.ts";
import type { Translator } from "./translator.ts";

export interface SignedIn {
  readonly name: string;
  readonly subject: string;
  /** One-time token of the sign-out form. */
  readonly logoutToken: string;
}

/** The account pages linked from the header. */
export type AccountPage = "/my/consents" | "/my/uses" | "/my/accesses";

const accountLink = (href: AccountPage, text: string, current: AccountPage | undefined): SafeHtml =>
  html`<a href="${href}"${current === href ? html` aria-current="page"` : ""}>${text}</a>`;

/** Links to this same page in each other language (GET /language; works without scripts). */
function languageSwitch(tr: Translator): SafeHtml {
  return html`<nav class="languages" aria-label="${tr.t("layout.languages")}"><ul>${locales.map((l) =>
    l === tr.locale
      ? html`<li><span lang="${l}" aria-current="true">${localeNames[l]}</span></li>`
      : html`<li><a href="/language?${new URLSearchParams({ lang: l, return_to: tr.here }).toString()}" lang="${l}" hreflang="${l}">${localeNames[l]}</a></li>`,
  )}</ul></nav>`;
}

/** @param current the account page being shown, marked in the header for assistive technology. */
export function layout(tr: Translator, title: string, body: SafeHtml, user?: SignedIn, current?: AccountPage): string {
  return html`<!doctype html>
<html lang="${tr.locale}" dir="${tr.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${tr.t("layout.title", { page: title })}</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<a class="skip" href="#main">${tr.t("layout.skip")}</a>
<header class="site"><div class="inner">
  <a class="brand" href="/">${tr.t("layout.brand")}</a>
  ${languageSwitch(tr)}
  ${
    user === undefined
      ? ""
      : html`<nav class="account" aria-label="${tr.t("layout.account")}">
    <ul>
    <li>${accountLink("/my/consents", tr.t("layout.myConsents"), current)}</li>
    <li>${accountLink("/my/uses", tr.t("layout.myUses"), current)}</li>
    <li>${accountLink("/my/accesses", tr.t("layout.myAccesses"), current)}</li>
    </ul>
    <span class="who">${tr.t("layout.signedInAs", { name: user.name })}</span>
    <form method="post" action="/logout"><input type="hidden" name="token" value="${user.logoutToken}"><button class="link" type="submit">${tr.t("layout.signOut")}</button></form>
  </nav>`
  }
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site"><div class="inner"><p>${tr.t("layout.footer")}</p></div></footer>
</body>
</html>`.value;
}
