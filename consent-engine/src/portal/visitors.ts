/**
 * Who is on the portal: the signed-in person of a request's session, that person as the page header shows them (with
 * a one-time sign-out token), and a sign-in that starts at the OpenID Provider and comes back to a given page.
 */
import type { FormTokens } from "./formTokens.ts";
import { localeOf } from "./locales.ts";
import type { SignedIn } from "./layout.ts";
import type { OidcLogin } from "./oidcLogin.ts";
import type { PageResponses } from "./pageResponses.ts";
import type { Session, SessionStore, SessionUser } from "./sessions.ts";

export interface Visitor {
  readonly session: Session;
  readonly user: SessionUser;
}

export interface Visitors {
  /** The request's signed-in person, or undefined (no session, or a session still signing in). */
  current(request: Request): Promise<Visitor | undefined>;
  /** The page header's view of the person, with a fresh sign-out token. */
  signedIn(visitor: Visitor): Promise<SignedIn>;
  /** Redirects to the provider's sign-in, keeping where to come back to (`returnTo`, a local path) in the session. */
  startLogin(request: Request, returnTo: string): Promise<Response>;
}

export interface VisitorsOptions {
  readonly sessions: SessionStore;
  readonly formTokens: FormTokens;
  readonly login: OidcLogin;
  readonly redirect: PageResponses["redirect"];
}

export function createVisitors(options: VisitorsOptions): Visitors {
  const { sessions, formTokens, login, redirect } = options;
  return {
    async current(request) {
      const session = await sessions.read(request);
      const user = session?.data.user;
      return session === undefined || user === undefined ? undefined : { session, user };
    },
    async signedIn({ session, user }) {
      return { name: user.name, subject: user.subject, logoutToken: await formTokens.issue(session.idHash, "logout", "session") };
    },
    async startLogin(request, returnTo) {
      // The sign-in page in the language of the page that sent the citizen there.
      const start = await login.begin(localeOf(request));
      const pending = { state: start.state, nonce: start.nonce, verifier: start.verifier, returnTo };
      const existing = await sessions.read(request);
      if (existing !== undefined) {
        await sessions.save(existing, { ...existing.data, login: pending });
        return redirect(start.url);
      }
      const { cookie } = await sessions.create({ login: pending });
      return redirect(start.url, [cookie]);
    },
  };
}
