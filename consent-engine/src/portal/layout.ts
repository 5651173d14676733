/** The page shell every portal page shares: header with the signed-in person and sign-out, main landmark. */
import { html, type SafeHtml } from "@ndx/platform";

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

/** @param current the account page being shown, marked in the header for assistive technology. */
export function layout(title: string, body: SafeHtml, user?: SignedIn, current?: AccountPage): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — NDX consent portal</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site"><div class="inner">
  <a class="brand" href="/">NDX consent portal</a>
  ${
    user === undefined
      ? ""
      : html`<nav aria-label="Account">
    ${accountLink("/my/consents", "My consents", current)}
    ${accountLink("/my/uses", "How my consents were used", current)}
    ${accountLink("/my/accesses", "Who saw my data", current)}
    <span>Signed in as ${user.name}</span>
    <form method="post" action="/logout"><input type="hidden" name="token" value="${user.logoutToken}"><button class="link" type="submit">Sign out</button></form>
  </nav>`
  }
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`.value;
}
