/**
 * Signing in and out: a sign-in that comes back to a local page only, the provider's callback (a new session, and so
 * a new session id, on sign-in), and sign-out here and at the provider (with a form token).
 */
import { html } from "@ndx/platform";
import { LoginError, type OidcLogin } from "./auth/oidcLogin.ts";
import { FormTokenError, type FormTokens } from "./http/formTokens.ts";
import { BodyError, readForm } from "./http/requestBody.ts";
import type { PageResponses } from "./http/responses.ts";
import type { Handler } from "./http/router.ts";
import type { SessionCookies } from "./http/sessions.ts";
import { layout, messagePage, pagesFor } from "./pages/layout.ts";
import type { Staff } from "./staff.ts";

export interface SignInOptions {
  readonly sessions: SessionCookies;
  readonly formTokens: FormTokens;
  readonly login: OidcLogin;
  readonly staff: Staff;
  readonly responses: PageResponses;
  /** The console's public base URL: the callback's address is read against it. */
  readonly publicUrl: string;
}

/** A path on this site: one leading slash (not `//` or `/\`, which browsers take to another host), no spaces. */
const localPath = /^\/(?![/\\])[^\s\\]{0,2000}$/;

export function signInRoutes(options: SignInOptions): { home: Handler; login: Handler; callback: Handler; logout: Handler } {
  const { sessions, formTokens, login, staff, responses } = options;
  return {
    home: async (request) => {
      const user = sessions.read(request)?.user;
      if (user === undefined) {
        return responses.page(200, layout("Sign in", html`<h1>NDX admin console</h1>
<div class="panel"><p>For the exchange's staff: members, applications, field grants and their reviews, and charts of the audit trail.</p>
<p><a class="button primary" href="/login">Sign in</a></p></div>`));
      }
      return responses.redirect(pagesFor(user.roles)[0]?.href ?? "/requests");
    },
    login: async (_request, _params, url) => {
      const returnTo = url.searchParams.get("return_to") ?? "/";
      try {
        return await staff.startLogin(localPath.test(returnTo) ? returnTo : "/");
      } catch (error) {
        if (error instanceof LoginError) return responses.page(502, messagePage("Sign-in problem", error.message));
        throw error;
      }
    },
    callback: async (request, _params, url) => {
      const pending = sessions.read(request)?.login;
      if (pending === undefined) {
        return responses.page(400, messagePage("Sign-in could not be completed", "Your sign-in could not be matched to this browser. Please start again.", undefined, { href: "/login", text: "Start again" }));
      }
      try {
        const user = await login.finish(new URL(url.pathname + url.search, options.publicUrl), pending);
        return responses.redirect(pending.returnTo, [sessions.cookie(sessions.start({ user }))]);
      } catch (error) {
        if (error instanceof LoginError) return responses.page(403, messagePage("Sign-in problem", error.message, undefined, { href: "/", text: "Start again" }), [sessions.clear()]);
        throw error;
      }
    },
    logout: async (request) => {
      const session = sessions.read(request);
      if (session === undefined) return responses.redirect("/");
      try {
        formTokens.consume((await readForm(request)).get("token") ?? "", session.id, "/logout");
      } catch (error) {
        if (error instanceof FormTokenError || error instanceof BodyError) return responses.page(403, messagePage("Not allowed", error.message));
        throw error;
      }
      const end = await login.logoutUrl().catch(() => undefined);
      return responses.redirect(end ?? "/", [sessions.clear()]);
    },
  };
}
