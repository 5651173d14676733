/** The provider's own pages: sign-in, errors, sign-out. Plain HTML and CSS, no scripts. */
import { html, trustedHtml, type SafeHtml } from "@ndx/platform";
import { signInTexts, type SignInTexts } from "./signInTexts.ts";

const styles = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5360; --accent: #0b5cad; --bad: #a4161a; --line: #c9d1db; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.05rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f3f5f8; }
header { background: #0f2a44; color: #fff; padding: .8rem 1.25rem; }
header strong { font-size: 1.1rem; }
main { max-width: 28rem; margin: 2rem auto; background: #fff; padding: 1.5rem 1.75rem; border: 1px solid var(--line); border-radius: .5rem; }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
input { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid #7b8794; border-radius: .3rem; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: .3rem; border: 2px solid var(--accent); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; }
button.secondary { background: #fff; color: var(--accent); }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
.error { color: var(--bad); border-left: 4px solid var(--bad); padding: .4rem .8rem; background: #fdecec; }
.note { color: var(--muted); font-size: .95rem; }
`;

function layout(title: string, body: SafeHtml, t: SignInTexts = signInTexts(undefined)): string {
  return html`<!doctype html>
<html lang="${t.locale}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${t.header}</title>
<style>${trustedHtml(styles)}</style>
</head>
<body>
<header><strong>${t.header}</strong> <span>· ${t.headerNote}</span></header>
<main>${body}</main>
</body>
</html>`.value;
}

export interface LoginPageModel {
  readonly uid: string;
  readonly clientName: string;
  readonly username?: string;
  readonly error?: string;
  /** The page's language (signInTexts.ts). @default English */
  readonly texts?: SignInTexts;
}

export function loginPage(model: LoginPageModel): string {
  const t = model.texts ?? signInTexts(undefined);
  const [before, after] = t.continueTo;
  return layout(
    t.signIn,
    html`<h1>${t.signIn}</h1>
<p>${before}<strong>${model.clientName}</strong>${after}</p>
${model.error === undefined ? "" : html`<p class="error" role="alert" id="login-error">${model.error}</p>`}
<form method="post" action="/interaction/${model.uid}/login" novalidate>
  <label for="username">${t.username}</label>
  <input id="username" name="username" autocomplete="username" required autofocus value="${model.username ?? ""}"${
    model.error === undefined ? "" : html` aria-describedby="login-error" aria-invalid="true"`
  }>
  <label for="password">${t.password}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <div class="actions">
    <button class="primary" type="submit">${t.signIn}</button>
    <button class="secondary" type="submit" formaction="/interaction/${model.uid}/abort">${t.cancel}</button>
  </div>
</form>
<p class="note">${t.note}</p>`,
    t,
  );
}

export function messagePage(title: string, message: string, texts?: SignInTexts): string {
  return layout(title, html`<h1>${title}</h1><p>${message}</p>`, texts);
}

export function logoutPage(formHtml: string, host: string): string {
  // `formHtml` is oidc-provider's own hidden form (its action and the xsrf token), not user input.
  return layout(
    "Sign out",
    html`<h1>Sign out</h1>
<p>Do you want to sign out of ${host}?</p>
${trustedHtml(formHtml)}
<div class="actions">
  <button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Yes, sign me out</button>
  <button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>
</div>`,
  );
}
