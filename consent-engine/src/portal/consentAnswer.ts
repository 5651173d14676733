/**
 * The citizen's answer (POST /consent/:id): Allow for a number of days, or Deny, recorded with the form token consumed
 * in the same transaction; then back to the consumer's registered redirect_uri (with status and state) when the
 * question came with one, else a page saying what was recorded. Allow needs the application as registered now
 * (a "try again" page while the register is stale; the suspended page when it is suspended); Deny never waits for it.
 */
import type { FormTokens } from "./formTokens.ts";
import { purposeOf } from "../register/applicationRegister.ts";
import { readForm } from "../requestBody.ts";
import type { Handler } from "../router.ts";
import { consumerReturnUrl, isRegisteredRedirect } from "./consumerReturn.ts";
import { decidedPage, messagePage, notAskingPage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export function consentAnswer(parts: PortalParts): Handler {
  const { service, page, redirect, visitors, formTokens } = parts;
  return async (request, params) => {
    const id = params["id"] ?? "";
    const current = await visitors.current(request);
    if (current === undefined) {
      return page(401, messagePage("Your session has ended", "Nothing was recorded. Open the link from the application again to answer the request."));
    }
    const user = await visitors.signedIn(current);
    const consent = await service.get(id);
    if (consent === undefined) return page(404, messagePage("Request not found", "There is no consent request at this address.", { user }));
    if (consent.citizenId !== current.user.subject) {
      return page(403, messagePage("This request is for someone else", "Only the person the request is about can answer it. Nothing has been recorded.", { user }));
    }
    const form = await readForm(request);
    const decision = form.get("decision");
    if (decision !== "grant" && decision !== "reject") {
      return page(400, messagePage("Choose Allow or Deny", "The form did not say whether you allow or deny. Nothing was recorded.", { user, link: { href: `/consent/${id}`, text: "Back to the request" } }));
    }
    const rawDays = form.get("durationDays") ?? "";
    if (decision === "grant" && !/^\d{1,4}$/.test(rawDays)) {
      return page(400, messagePage("Choose how long", "The form did not say for how long. Nothing was recorded.", { user }));
    }
    if (decision === "grant" && consent.status === "PENDING") {
      // The grant itself checks again, in its transaction; this only picks the page that explains a refusal.
      const application = service.applications.current(consent.consumerId);
      if (application === undefined || application.status !== "ACTIVE" || purposeOf(application, consent.purpose) === undefined) {
        return page(403, notAskingPage(application, consent, user));
      }
    }
    // The form token is consumed inside the answer's transaction; what it kept (redirect_uri, state) comes back.
    let kept: Readonly<Record<string, string>> = {};
    const guard = async (tx: Parameters<FormTokens["consume"]>[0]) => {
      kept = await formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action: "decide", target: id });
    };
    const acting = { citizenId: current.user.subject, via: "portal" as const };
    const answered =
      decision === "grant"
        ? await service.grant(id, { ...acting, durationDays: Number(rawDays) }, guard)
        : await service.reject(id, acting, guard);
    const redirectUri = kept["redirectUri"];
    // Checked against the register when the question was shown; again here against the last registration known.
    const consumer = service.applications.lastKnown(answered.consumerId);
    if (redirectUri !== undefined && consumer !== undefined && isRegisteredRedirect(consumer, redirectUri)) {
      return redirect(
        consumerReturnUrl(redirectUri, {
          consentId: answered.consentId,
          status: decision === "grant" ? "granted" : "rejected",
          state: kept["state"],
        }),
      );
    }
    return page(200, decidedPage(answered, service.catalogue, user));
  };
}
