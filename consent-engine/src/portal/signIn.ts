/**
 * Signing in and out: the start page, a sign-in that comes back to a local page only, the OpenID Provider's callback
 * (a new session id on sign-in), and sign-out here and at the provider (a one-time form token).
 */
import { readForm } from "../requestBody.ts";
import type { Handler } from "../router.ts";
import type { OidcLogin } from "./oidcLogin.ts";
import { isLocalPath } from "./localPath.ts";
import { translatorFor } from "./pageLanguage.ts";
import { homePage, messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import type { SessionStore } from "./sessions.ts";

export interface SignInOptions {
  readonly sessions: SessionStore;
  readonly login: OidcLogin;
  /** The portal's public base URL: the callback's address is read against it. */
  readonly publicUrl: string;
}

export interface SignInRoutes {
  /** GET /: the start page, or My consents when signed in. */
  readonly home: Handler;
  /** GET /login?return_to=<local path> */
  readonly login: Handler;
  /** GET /auth/callback: the OpenID Provider sends the browser back here. */
  readonly callback: Handler;
  /** POST /logout */
  readonly logout: Handler;
}


export function signInRoutes(parts: PortalParts, options: SignInOptions): SignInRoutes {
  const { page, redirect, visitors, formTokens } = parts;
  const { sessions, login } = options;
  return {
    home: async (request) => ((await visitors.current(request)) === undefined ? page(200, homePage(translatorFor(request))) : redirect("/my/consents")),
    login: async (request, _p, url) => {
      const returnTo = url.searchParams.get("return_to") ?? "/my/consents";
      return visitors.startLogin(request, isLocalPath(returnTo) ? returnTo : "/my/consents");
    },
    callback: async (request, _p, url) => {
      const session = await sessions.read(request);
      const pending = session?.data.login;
      if (session === undefined || pending === undefined) {
        const tr = translatorFor(request);
        return page(400, messagePage(tr, tr.t("signIn.unmatchedTitle"), tr.t("signIn.unmatchedMessage"), { link: { href: "/", text: tr.t("common.startAgain") } }));
      }
      const user = await login.finish(new URL(url.pathname + url.search, options.publicUrl), pending);
      // A new session id on sign-in: whatever id existed before is dropped.
      await sessions.destroy(session);
      const { cookie } = await sessions.create({ user });
      return redirect(pending.returnTo, [cookie]);
    },
    logout: async (request) => {
      const session = await sessions.read(request);
      if (session === undefined) return redirect("/");
      const form = await readForm(request);
      await formTokens.consumeNow(form.get("token") ?? "", { sessionHash: session.idHash, action: "logout", target: "session" });
      const clear = await sessions.destroy(session);
      const idToken = session.data.user?.idToken;
      const end = idToken === undefined ? undefined : await login.logoutUrl(idToken).catch(() => undefined);
      return redirect(end ?? "/", [clear]);
    },
  };
}
