/**
 * Signing in and out: the start page, a sign-in that comes back to a local page only, the OpenID Provider's callback
 * (a new session id on sign-in), and sign-out here and at the provider (a one-time form token).
 */
import { readForm } from "../requestBody.ts";
import type { Handler } from "../router.ts";
import type { OidcLogin } from "./oidcLogin.ts";
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

/** A path on this site: one leading slash (not `//` or `/\`, which browsers take to another host), no spaces. */
const localPath = /^\/(?![/\\])[^\s\\]{0,2000}$/;

export function signInRoutes(parts: PortalParts, options: SignInOptions): SignInRoutes {
  const { page, redirect, visitors, formTokens } = parts;
  const { sessions, login } = options;
  return {
    home: async (request) => ((await visitors.current(request)) === undefined ? page(200, homePage()) : redirect("/my/consents")),
    login: async (request, _p, url) => {
      const returnTo = url.searchParams.get("return_to") ?? "/my/consents";
      return visitors.startLogin(request, localPath.test(returnTo) ? returnTo : "/my/consents");
    },
    callback: async (request, _p, url) => {
      const session = await sessions.read(request);
      const pending = session?.data.login;
      if (session === undefined || pending === undefined) {
        return page(400, messagePage("Sign-in could not be completed", "Your sign-in could not be matched to this browser. Please start again.", { link: { href: "/", text: "Start again" } }));
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
