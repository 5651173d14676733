/**
 * The consent portal: its route table and the checks every request passes (a known route and method, POSTs from our
 * own origin only, failures as an error page). The pages themselves live one concern to a file: signing in and out
 * (signIn.ts), the consent question and its answer going back to the consumer's registered redirect URI
 * (consentQuestion.ts, consentAnswer.ts), My consents with Pause, Resume and Revoke (myConsents.ts), How my consents were used
 * (useLog.ts), Who saw my data (whoSawMyData.ts) and the language switch (languageRoute.ts; pages speak the
 * request's language, locales.ts). Every POST carries a one-time form token.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setRequestRoute, type Logger } from "@ndx/platform";
import type { ConsentService } from "../consentService.ts";
import { createRouter } from "../router.ts";
import type { AuditReader } from "./accessHistory.ts";
import { consentAnswer } from "./consentAnswer.ts";
import { consentQuestion } from "./consentQuestion.ts";
import { createErrorPage } from "./errorPage.ts";
import type { FormTokens } from "./formTokens.ts";
import { myConsentsRoutes } from "./myConsents.ts";
import { createPortalGuardians, type PortalGuardiansOptions } from "./guardians.ts";
import type { OidcLogin } from "./oidcLogin.ts";
import { createPageResponses } from "./pageResponses.ts";
import { languageRoute } from "./languageRoute.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import type { SessionStore } from "./sessions.ts";
import { signInRoutes } from "./signIn.ts";
import { createVisitors } from "./visitors.ts";
import { receiptRoutes } from "../receipt/receiptRoutes.ts";
import { receiptContextPath } from "../receipt/receiptContext.ts";
import { useLogRoute } from "./useLog.ts";
import { evidenceDownload, whoSawMyData } from "./whoSawMyData.ts";

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
  /** Guardian consent: the registry's guardianship answers and the age of majority. @default none (everyone answers for themselves) */
  readonly guardians?: PortalGuardiansOptions;
}

const stylesheet = readFileSync(resolve(import.meta.dirname, "portal.css"), "utf8");

export function createPortal(options: PortalOptions): (request: Request) => Promise<Response | undefined> {
  const { service, sessions, formTokens, login } = options;
  const publicOrigin = new URL(options.publicUrl).origin;
  const { page, redirect } = createPageResponses(options.issuer);
  const visitors = createVisitors({ sessions, formTokens, login, redirect });
  const guardians = createPortalGuardians(options.guardians);
  const parts: PortalParts = { service, formTokens, logger: options.logger, page, redirect, visitors, guardians };
  const errorPage = createErrorPage(parts);
  const myConsents = myConsentsRoutes(parts);
  const receipts = receiptRoutes(parts, options.publicUrl, () => new Date());
  const signIn = signInRoutes(parts, { sessions, login, publicUrl: options.publicUrl });

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
    .add("GET", "/language", languageRoute(parts, publicOrigin.startsWith("https:")))
    .add("GET", "/login", signIn.login)
    .add("GET", "/auth/callback", signIn.callback)
    .add("POST", "/logout", signIn.logout)
    .add("GET", "/consent/:id", consentQuestion(parts))
    .add("POST", "/consent/:id", consentAnswer(parts))
    .add("GET", "/my/consents", myConsents.list)
    .add("GET", "/my/accesses", whoSawMyData(parts, options.auditReader))
    .add("GET", "/my/accesses/evidence.zip", evidenceDownload(parts, options.auditReader))
    .add("GET", "/my/uses", useLogRoute(parts, options.auditReader))
    .add("GET", "/my/consents/:id/receipt", receipts.page)
    .add("GET", "/my/consents/:id/receipt.jsonld", receipts.download)
    .add("GET", receiptContextPath, receipts.context)
    .add("POST", "/my/consents/:id/revoke", myConsents.revoke)
    .add("POST", "/my/consents/:id/pause", myConsents.pause)
    .add("POST", "/my/consents/:id/resume", myConsents.resume);

  return async (request) => {
    const url = new URL(request.url);
    const match = router.match(request.method, url.pathname);
    if (match === undefined) return undefined;
    if (match === "method-not-allowed") {
      const tr = translatorFor(request);
      return page(405, messagePage(tr, tr.t("error.title", { code: "FORBIDDEN" }), tr.t("portal.methodNotAllowed")));
    }
    setRequestRoute(request, match.route);
    if (request.method === "POST" && !sameOrigin(request)) {
      const tr = translatorFor(request);
      return page(403, messagePage(tr, tr.t("error.title", { code: "FORBIDDEN" }), tr.t("portal.crossSite")));
    }
    try {
      return await match.handler(request, match.params, url);
    } catch (error) {
      return errorPage(error, request);
    }
  };
}
