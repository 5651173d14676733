/**
 * The consent question (GET /consent/:id): the request in plain language, for the signed-in citizen it is about only,
 * with Allow and Deny. A link whose redirect_uri the consumer has not registered, or whose state is not printable, is
 * refused before sign-in; the redirect_uri and state travel in the form token, not in the form.
 */
import { isRegisteredRedirect } from "../consumerStore.ts";
import type { ConsentView } from "../consentView.ts";
import type { Handler } from "../router.ts";
import { isAcceptableState } from "./consumerReturn.ts";
import type { SignedIn } from "./layout.ts";
import { consentPage, messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export function consentQuestion(parts: PortalParts): Handler {
  const { service, page, visitors, formTokens, logger } = parts;

  /** A refusal when the link's redirect_uri or state cannot be used; nothing is recorded either way. */
  async function unsafeLink(consent: ConsentView, redirectUri: string | undefined, state: string | undefined): Promise<Response | undefined> {
    const consumer = await service.consumer(consent.consumerId);
    if (redirectUri !== undefined && (consumer === undefined || !isRegisteredRedirect(consumer, redirectUri))) {
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
    const refused = await unsafeLink(consent, redirectUri, state);
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
    const kept: Record<string, string> = {};
    if (redirectUri !== undefined) kept["redirectUri"] = redirectUri;
    if (state !== undefined) kept["state"] = state;
    const formToken = await formTokens.issue(current.session.idHash, "decide", consent.consentId, kept);
    const targets = redirectUri === undefined ? [] : [new URL(redirectUri).origin];
    return page(200, consentPage({ consent, catalogue: service.catalogue, user, formToken, returnsTo: redirectUri }), targets);
  };
}
