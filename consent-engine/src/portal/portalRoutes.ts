/**
 * The consent portal's pages: the consent question for a request (after OIDC sign-in, only for the citizen the
 * request is about), the answer going back to the consumer's registered redirect URI, and My consents with Revoke.
 * Every POST carries a one-time form token and must come from our own origin.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setRequestRoute, type Logger } from "@ndx/platform";
import type { ConsentService } from "../consentService.ts";
import { readForm } from "../requestBody.ts";
import { createRouter } from "../router.ts";
import { AuditUnavailableError, type AuditReader, type CitizenAccess } from "./accessHistory.ts";
import type { FormTokens } from "./formTokens.ts";
import type { OidcLogin } from "./oidcLogin.ts";
import { consentAnswer } from "./consentAnswer.ts";
import { consentQuestion } from "./consentQuestion.ts";
import { createErrorPage } from "./errorPage.ts";
import { createPageResponses } from "./pageResponses.ts";
import type { PortalParts } from "./portalParts.ts";
import { signInRoutes } from "./signIn.ts";
import { createVisitors } from "./visitors.ts";
import {
  accessesForCitizensPage,
  accessesPage,
  accessesUnavailablePage,
  isShownDecision,
  messagePage,
  myConsentsPage,
  type AccessRow,
} from "./pages.ts";
import type { Session, SessionStore, SessionUser } from "./sessions.ts";

export interface PortalOptions {
  readonly service: ConsentService;
  readonly sessions: SessionStore;
  readonly formTokens: FormTokens;
  readonly login: OidcLogin;
  /** The portal's public base URL. */
  readonly publicUrl: string;
  /** The OpenID Provider's issuer: sign-out forms continue there. */
  readonly issuer: string;
  readonly logger: Logger;
  /** Reads the gateway's audit trail for "Who saw my data"; without it that page says it is unavailable. */
  readonly auditReader?: AuditReader | undefined;
}

/** Records shown per page of "Who saw my data". */
const accessPageSize = 20;
/** Records asked of the gateway per page: more than shown, since records not about an identified application are left out. */
const accessFetchSize = 50;
/** At most this many requests to the gateway per page view. */
const accessMaxBatches = 3;
/** An "Older" link's position: the last record shown, as `<time>~<record id>` (the audit API's cursor). */
const accessCursor = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))(?:~[A-Za-z0-9-]{1,64})?$/;
const cursorOf = (access: CitizenAccess) => `${access.at}~${access.id}`;

/** A citizen, not a staff account: the provider says so, or (a provider without a `kind` claim) the subject is a NIC. */
function isCitizen(user: SessionUser): boolean {
  return user.kind === undefined ? /^\d{12}$/.test(user.subject) : user.kind === "citizen";
}

const stylesheet = readFileSync(resolve(import.meta.dirname, "portal.css"), "utf8");

export function createPortal(options: PortalOptions): (request: Request) => Promise<Response | undefined> {
  const { service, sessions, formTokens, login } = options;
  const publicOrigin = new URL(options.publicUrl).origin;
  const { page, redirect } = createPageResponses(options.issuer);
  const visitors = createVisitors({ sessions, formTokens, login, redirect });
  const parts: PortalParts = { service, formTokens, logger: options.logger, page, redirect, visitors };
  const errorPage = createErrorPage(parts);
  const signIn = signInRoutes(parts, { sessions, login, publicUrl: options.publicUrl });
  const currentUser = visitors.current;
  const signedIn = (session: Session, user: SessionUser) => visitors.signedIn({ session, user });
  const startLogin = visitors.startLogin;

  /** POSTs come from our own pages only. */
  function sameOrigin(request: Request): boolean {
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== publicOrigin) return false;
    return request.headers.get("sec-fetch-site") !== "cross-site";
  }

  const router = createRouter()
    .add("GET", "/static/portal.css", async () =>
      new Response(stylesheet, {
        headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300", "x-content-type-options": "nosniff" },
      }),
    )
    .add("GET", "/", signIn.home)
    .add("GET", "/login", signIn.login)
    .add("GET", "/auth/callback", signIn.callback)
    .add("POST", "/logout", signIn.logout)
    .add("GET", "/consent/:id", consentQuestion(parts))
    .add("POST", "/consent/:id", consentAnswer(parts))
    .add("GET", "/my/consents", async (request, _p, url) => {
      const current = await currentUser(request);
      if (current === undefined) return startLogin(request, "/my/consents");
      const user = await signedIn(current.session, current.user);
      const consents = await service.listForCitizen(current.user.subject);
      const revokeTokens = new Map<string, string>();
      for (const c of consents) {
        if (c.status === "ACTIVE") revokeTokens.set(c.consentId, await formTokens.issue(current.session.idHash, "revoke", c.consentId));
      }
      const notice =
        url.searchParams.get("notice") === "revoked"
          ? "Your consent was revoked. The application can no longer see that information."
          : undefined;
      return page(200, myConsentsPage({ consents, catalogue: service.catalogue, user, revokeTokens, notice }));
    })
    .add("GET", "/my/accesses", async (request, _p, url) => {
      const current = await currentUser(request);
      if (current === undefined) return startLogin(request, "/my/accesses");
      const user = await signedIn(current.session, current.user);
      if (!isCitizen(current.user)) return page(403, accessesForCitizensPage(user));
      const before = url.searchParams.get("before") ?? undefined;
      if (before !== undefined && (!accessCursor.test(before) || Number.isNaN(Date.parse(before.split("~")[0] ?? "")))) {
        return page(400, messagePage("This link is not valid", "The address asks for records before a time that is not valid.", { user, link: { href: "/my/accesses", text: "See the newest records" } }));
      }
      if (options.auditReader === undefined) return page(503, accessesUnavailablePage(user));
      // Only ever the signed-in citizen's own records. Records left out (not about an identified application) are
      // skipped: a few more batches are read until a page is full or the trail ends.
      const fetched: CitizenAccess[] = [];
      let more = false;
      try {
        let cursor = before;
        for (let batchNo = 0; batchNo < accessMaxBatches; batchNo++) {
          const batch = await options.auditReader.accessesAbout(current.user.subject, { limit: accessFetchSize, before: cursor });
          fetched.push(...batch);
          more = batch.length === accessFetchSize;
          const last = batch.at(-1);
          cursor = last === undefined ? undefined : cursorOf(last);
          if (!more || fetched.filter((a) => isShownDecision(a.decision)).length > accessPageSize) break;
        }
      } catch (error) {
        if (!(error instanceof AuditUnavailableError)) throw error;
        options.logger.warn({ reason: error.message }, "who-saw-my-data: audit records unavailable");
        return page(503, accessesUnavailablePage(user));
      }
      const shown = fetched.flatMap((access) => (isShownDecision(access.decision) ? [{ ...access, decision: access.decision }] : []));
      const onPage = shown.slice(0, accessPageSize);
      // Older records: after the last one shown when more were read than fit; else after the last one read, when the
      // gateway may hold more.
      const continueAfter = shown.length > accessPageSize ? onPage.at(-1) : more ? fetched.at(-1) : undefined;
      const names = new Map<string, string>();
      const nameOf = async (id: string | null): Promise<string> => {
        if (id === null) return "An unnamed application";
        let name = names.get(id);
        if (name === undefined) {
          name = (await service.consumer(id))?.name ?? id;
          names.set(id, name);
        }
        return name;
      };
      const rows: AccessRow[] = [];
      for (const access of onPage) rows.push({ access, consumerName: await nameOf(access.consumer) });
      return page(
        200,
        accessesPage({
          rows,
          catalogue: service.catalogue,
          user,
          newest: before === undefined,
          olderHref: continueAfter === undefined ? undefined : `/my/accesses?${new URLSearchParams({ before: cursorOf(continueAfter) }).toString()}`,
        }),
      );
    })
    .add("POST", "/my/consents/:id/revoke", async (request, params) => {
      const id = params["id"] ?? "";
      const current = await currentUser(request);
      if (current === undefined) {
        return page(401, messagePage("Your session has ended", "Nothing was changed. Sign in again to revoke a consent.", { link: { href: "/login?return_to=%2Fmy%2Fconsents", text: "Sign in" } }));
      }
      const form = await readForm(request);
      await service.revoke(id, { citizenId: current.user.subject, via: "portal" }, (tx) =>
        formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action: "revoke", target: id }).then(() => undefined),
      );
      return redirect("/my/consents?notice=revoked");
    });

  return async (request) => {
    const url = new URL(request.url);
    const match = router.match(request.method, url.pathname);
    if (match === undefined) return undefined;
    if (match === "method-not-allowed") return page(405, messagePage("Not allowed", "This page cannot be used that way."));
    setRequestRoute(request, match.route);
    if (request.method === "POST" && !sameOrigin(request)) {
      return page(403, messagePage("Not allowed", "This form was sent from another site. Nothing was changed."));
    }
    try {
      return await match.handler(request, match.params, url);
    } catch (error) {
      return errorPage(error, request);
    }
  };
}
