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
import { translatorFor } from "./pageLanguage.ts";
import { decidedPage, messagePage, notAskingPage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export function consentAnswer(parts: PortalParts): Handler {
  const { service, page, redirect, visitors, formTokens } = parts;
  return async (request, params) => {
    const id = params["id"] ?? "";
    const tr = translatorFor(request);
    const current = await visitors.current(request);
    if (current === undefined) {
      return page(401, messagePage(tr, tr.t("answer.sessionEndedTitle"), tr.t("answer.sessionEndedMessage")));
    }
    const user = await visitors.signedIn(current);
    const consent = await service.get(id);
    if (consent === undefined) return page(404, messagePage(tr, tr.t("question.notFoundTitle"), tr.t("question.notFoundMessage"), { user }));
    // Someone else answers only as the guardian of a minor (asked of the registry; the rules check again).
    const forMinor = consent.citizenId === current.user.subject ? undefined : await parts.guardians.answererFor(current.user.subject, consent.citizenId);
    if (forMinor !== undefined && forMinor.kind !== "guardian") {
      return page(403, messagePage(tr, tr.t("question.someoneElseTitle"), tr.t("answer.someoneElseMessage"), { user }));
    }
    const form = await readForm(request);
    const decision = form.get("decision");
    if (decision !== "grant" && decision !== "reject") {
      return page(400, messagePage(tr, tr.t("answer.noDecisionTitle"), tr.t("answer.noDecisionMessage"), { user, link: { href: `/consent/${id}`, text: tr.t("answer.backToRequest") } }));
    }
    const rawDays = form.get("durationDays") ?? "";
    if (decision === "grant" && !/^\d{1,4}$/.test(rawDays)) {
      return page(400, messagePage(tr, tr.t("answer.noDurationTitle"), tr.t("answer.noDurationMessage"), { user, link: { href: `/consent/${id}`, text: tr.t("answer.backToRequest") } }));
    }
    if (decision === "grant" && consent.status === "PENDING") {
      // The grant itself checks again, in its transaction; this only picks the page that explains a refusal.
      const application = service.applications.current(consent.consumerId);
      if (application === undefined || application.status !== "ACTIVE" || purposeOf(application, consent.purpose) === undefined) {
        return page(403, notAskingPage(tr, application, consent, user));
      }
    }
    // The form token is consumed inside the answer's transaction; what it kept (redirect_uri, state) comes back.
    let kept: Readonly<Record<string, string>> = {};
    const guard = async (tx: Parameters<FormTokens["consume"]>[0]) => {
      kept = await formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action: "decide", target: id });
    };
    const acting = { citizenId: current.user.subject, via: "portal" as const, ...(forMinor === undefined ? {} : { onBehalfOf: consent.citizenId }) };
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
    return page(200, decidedPage(tr, answered, service.catalogue, user));
  };
}
