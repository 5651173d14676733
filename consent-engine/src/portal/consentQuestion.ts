/**
 * The consent question (GET /consent/:id): the request in plain language — the application, its member, its
 * description, the purpose's text and legal basis, as registered with the exchange now — for the signed-in citizen it
 * is about only, with Allow and Deny. A link whose redirect_uri the application has not registered, or whose state is
 * not printable, is refused before sign-in; the redirect_uri and state travel in the form token, not in the form.
 * While the register is stale the page says to try again (503); a suspended or unregistered application's request
 * cannot be granted, and the page says so.
 */
import type { ConsentView } from "../consentView.ts";
import { purposeOf, type RegisterApplication } from "../register/applicationRegister.ts";
import type { Handler } from "../router.ts";
import { isAcceptableState, isRegisteredRedirect } from "./consumerReturn.ts";
import type { SignedIn } from "./layout.ts";
import { translatorFor } from "./pageLanguage.ts";
import { minorPage, onBehalfNotice } from "./guardianPages.ts";
import { firstName } from "./guardians.ts";
import { consentPage, messagePage, notAskingPage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import type { Translator } from "./translator.ts";

export function consentQuestion(parts: PortalParts): Handler {
  const { service, page, visitors, formTokens, logger } = parts;

  /** A refusal when the link's redirect_uri or state cannot be used; nothing is recorded either way. */
  function unsafeLink(tr: Translator, application: RegisterApplication | undefined, consent: ConsentView, redirectUri: string | undefined, state: string | undefined): Response | undefined {
    if (redirectUri !== undefined && (application === undefined || !isRegisteredRedirect(application, redirectUri))) {
      logger.warn({ consentId: consent.consentId, consumerId: consent.consumerId }, "consent page opened with an unregistered redirect_uri");
      return page(400, messagePage(tr, tr.t("question.unsafeTitle"), tr.t("question.unsafeMessage")));
    }
    if (state !== undefined && !isAcceptableState(state)) {
      return page(400, messagePage(tr, tr.t("question.badStateTitle"), tr.t("question.badStateMessage")));
    }
    return undefined;
  }

  /** A request that is no longer pending: expired unanswered, or answered already. */
  function notPending(tr: Translator, consent: ConsentView, user: SignedIn): Response {
    if (consent.status === "SUPERSEDED") {
      return page(
        409,
        messagePage(tr, tr.t("question.replacedTitle"), tr.t("question.replacedMessage", { app: consent.consumerName }), {
          user,
          link: { href: "/my/consents", text: tr.t("common.goToMyConsents") },
        }),
      );
    }
    const expired = consent.status === "EXPIRED" && consent.decidedAt === null;
    return page(
      409,
      messagePage(tr, tr.t(expired ? "question.expiredTitle" : "question.answeredTitle"), tr.t(expired ? "question.expiredMessage" : "question.answeredMessage"), {
        user,
        link: { href: "/my/consents", text: tr.t("common.goToMyConsents") },
      }),
    );
  }

  return async (request, params, url) => {
    const tr = translatorFor(request);
    const consent = await service.get(params["id"] ?? "");
    if (consent === undefined) {
      return page(404, messagePage(tr, tr.t("question.notFoundTitle"), tr.t("question.notFoundMessage")));
    }
    const redirectUri = url.searchParams.get("redirect_uri") ?? undefined;
    const state = url.searchParams.get("state") ?? undefined;
    // Throws UPSTREAM_UNAVAILABLE (a "try again" page) while the register is stale: no redirect_uri is judged on old data.
    const application = service.applications.current(consent.consumerId);
    const refused = unsafeLink(tr, application, consent, redirectUri, state);
    if (refused !== undefined) return refused;
    const current = await visitors.current(request);
    if (current === undefined) return visitors.startLogin(request, url.pathname + url.search);
    const user = await visitors.signedIn(current);
    // The citizen themselves, a minor (a guardian answers), their guardian, or anyone else (refused, as always).
    const answerer = await parts.guardians.answererFor(current.user.subject, consent.citizenId);
    if (answerer.kind === "other") {
      logger.warn({ consentId: consent.consentId }, "a signed-in person tried to answer another citizen's consent request");
      return page(
        403,
        messagePage(tr, tr.t("question.someoneElseTitle"), tr.t("question.someoneElseMessage", { name: current.user.name }), { user }),
      );
    }
    if (answerer.kind === "minor") return page(403, minorPage(tr, user));
    if (consent.status !== "PENDING") return notPending(tr, consent, user);
    const purpose = purposeOf(application, consent.purpose);
    if (application === undefined || application.status !== "ACTIVE" || purpose === undefined) {
      return page(403, notAskingPage(tr, application, consent, user));
    }
    const kept: Record<string, string> = {};
    if (redirectUri !== undefined) kept["redirectUri"] = redirectUri;
    if (state !== undefined) kept["state"] = state;
    const formToken = await formTokens.issue(current.session.idHash, "decide", consent.consentId, kept);
    const targets = redirectUri === undefined ? [] : [new URL(redirectUri).origin];
    return page(200, consentPage(tr, { consent, application, purpose, catalogue: service.catalogue, user, formToken, returnsTo: redirectUri, onBehalf: answerer.kind === "guardian" ? { name: firstName(answerer.ward), notice: onBehalfNotice(tr, answerer.ward) } : undefined }), targets);
  };
}
