/** The page shell every portal page shares: header with the signed-in person and sign-out, main landmark. */
import { html, type SafeHtml } from "./html.ts";

export interface SignedIn {
  readonly name: string;
  readonly subject: string;
  /** One-time token of the sign-out form. */
  readonly logoutToken: string;
}

export function layout(title: string, body: SafeHtml, user?: SignedIn): string {
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
    <a href="/my/consents">My consents</a>
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
