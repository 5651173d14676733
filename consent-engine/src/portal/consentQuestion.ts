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
import { consentPage, messagePage, notAskingPage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export function consentQuestion(parts: PortalParts): Handler {
  const { service, page, visitors, formTokens, logger } = parts;

  /** A refusal when the link's redirect_uri or state cannot be used; nothing is recorded either way. */
  function unsafeLink(application: RegisterApplication | undefined, consent: ConsentView, redirectUri: string | undefined, state: string | undefined): Response | undefined {
    if (redirectUri !== undefined && (application === undefined || !isRegisteredRedirect(application, redirectUri))) {
      logger.warn({ consentId: consent.consentId, consumerId: consent.consumerId }, "consent page opened with an unregistered redirect_uri");
      return page(
        400,
        messagePage(
          "This link is not safe to follow",
          "The application asked to send you back to an address it has not registered. For your safety, this request cannot be answered from this link. Nothing has been recorded.",
        ),
      );
    }
    if (state !== undefined && !isAcceptableState(state)) {
      return page(400, messagePage("This link is not valid", "The link carries a state value that is too long or not printable. Nothing has been recorded."));
    }
    return undefined;
  }

  /** A request that is no longer pending: expired unanswered, or answered already. */
  function notPending(consent: ConsentView, user: SignedIn): Response {
    if (consent.status === "SUPERSEDED") {
      return page(
        409,
        messagePage(
          "This request was replaced",
          `${consent.consumerName} asked again, for other information or on other terms, so this request can no longer be answered. If they still need your consent, they will send you the new request.`,
          { user, link: { href: "/my/consents", text: "Go to My consents" } },
        ),
      );
    }
    const expired = consent.status === "EXPIRED" && consent.decidedAt === null;
    return page(
      409,
      messagePage(
        expired ? "This request has expired" : "This request was already answered",
        expired
          ? "It was not answered in time. The application can ask you again."
          : "Nothing more needs to be done here. You can see and revoke your consents under My consents.",
        { user, link: { href: "/my/consents", text: "Go to My consents" } },
      ),
    );
  }

  return async (request, params, url) => {
    const consent = await service.get(params["id"] ?? "");
    if (consent === undefined) {
      return page(404, messagePage("Request not found", "There is no consent request at this address. Check the link the application gave you."));
    }
    const redirectUri = url.searchParams.get("redirect_uri") ?? undefined;
    const state = url.searchParams.get("state") ?? undefined;
    // Throws UPSTREAM_UNAVAILABLE (a "try again" page) while the register is stale: no redirect_uri is judged on old data.
    const application = service.applications.current(consent.consumerId);
    const refused = unsafeLink(application, consent, redirectUri, state);
    if (refused !== undefined) return refused;
    const current = await visitors.current(request);
    if (current === undefined) return visitors.startLogin(request, url.pathname + url.search);
    const user = await visitors.signedIn(current);
    if (current.user.subject !== consent.citizenId) {
      logger.warn({ consentId: consent.consentId }, "a signed-in person tried to answer another citizen's consent request");
      return page(
        403,
        messagePage(
          "This request is for someone else",
          `You are signed in as ${current.user.name}, but this consent request is about another person. Only that person can answer it. Nothing has been recorded. If this is not your account, sign out and sign in as the person the request is about.`,
          { user },
        ),
      );
    }
    if (consent.status !== "PENDING") return notPending(consent, user);
    const purpose = purposeOf(application, consent.purpose);
    if (application === undefined || application.status !== "ACTIVE" || purpose === undefined) {
      return page(403, notAskingPage(application, consent, user));
    }
    const kept: Record<string, string> = {};
    if (redirectUri !== undefined) kept["redirectUri"] = redirectUri;
    if (state !== undefined) kept["state"] = state;
    const formToken = await formTokens.issue(current.session.idHash, "decide", consent.consentId, kept);
    const targets = redirectUri === undefined ? [] : [new URL(redirectUri).origin];
    return page(200, consentPage({ consent, application, purpose, catalogue: service.catalogue, user, formToken, returnsTo: redirectUri }), targets);
  };
}
