/**
 * My consents (GET /my/consents): the signed-in citizen's consents, each active one with Pause and Revoke forms, each
 * paused one with Resume and Revoke (each form its own one-time token); and those actions (POST
 * /my/consents/:id/{revoke,pause,resume}); a revocation and a pause are answered once they hold on every gateway.
 */
import { readForm } from "../requestBody.ts";
import type { Acting, Guard } from "../consentService.ts";
import type { Handler } from "../router.ts";
import type { FormAction } from "./formTokens.ts";
import { myConsentsPage } from "./myConsentsPage.ts";
import { childConsents } from "./guardianPages.ts";
import { consentTexts } from "./consentTexts.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export interface MyConsentsRoutes {
  readonly list: Handler;
  readonly revoke: Handler;
  readonly pause: Handler;
  readonly resume: Handler;
}

const notices = ["revoked", "paused", "resumed"] as const;
const noticeOf = (value: string | null) => notices.find((n) => n === value);

export function myConsentsRoutes(parts: PortalParts): MyConsentsRoutes {
  const { service, page, redirect, visitors, formTokens } = parts;
  return {
    list: async (request, _p, url) => {
      const current = await visitors.current(request);
      if (current === undefined) return visitors.startLogin(request, "/my/consents");
      const user = await visitors.signedIn(current);
      // Their own consents, and those of the minors they are the guardian of (asked of the registry on each view).
      const { wards, unavailable } = await parts.guardians.wardsOf(current.user.subject);
      const whose = [current.user.subject, ...wards.map((w) => w.nic)];
      const consents = (await Promise.all(whose.map((nic) => service.listForCitizen(nic)))).flat();
      const tokens = new Map<string, string>();
      for (const c of consents) {
        const actions: FormAction[] = c.status === "ACTIVE" ? ["pause", "revoke"] : c.status === "PAUSED" ? ["resume", "revoke"] : [];
        for (const a of actions) tokens.set(`${a}:${c.consentId}`, await formTokens.issue(current.session.idHash, a, c.consentId));
      }
      const notice = noticeOf(url.searchParams.get("notice"));
      const texts = (c: (typeof consents)[number]) =>
        consentTexts(service, c.consumerId, c.purpose, c.consumerName, c.purposeText ?? service.purposeText(c.consumerId, c.purpose));
      const tr = translatorFor(request);
      return page(200, myConsentsPage(tr, { consents, catalogue: service.catalogue, texts, user, formTokens: tokens, notice, ...childConsents(tr, wards, unavailable) }));
    },
    revoke: act("revoke", "revoked", (id, acting, guard) => service.revoke(id, acting, guard)),
    pause: act("pause", "paused", (id, acting, guard) => service.pause(id, acting, guard)),
    resume: act("resume", "resumed", (id, acting, guard) => service.resume(id, acting, guard)),
  };

  /** One citizen action on a consent, its form token consumed in the change's own transaction. */
  function act(
    action: "revoke" | "pause" | "resume",
    notice: string,
    change: (id: string, acting: Acting, guard: Guard) => Promise<unknown>,
  ): Handler {
    return async (request, params) => {
      const id = params["id"] ?? "";
      const current = await visitors.current(request);
      if (current === undefined) {
        const tr = translatorFor(request);
        return page(401, messagePage(tr, tr.t("answer.sessionEndedTitle"), tr.t("myConsents.sessionEnded", { action }), { link: { href: "/login?return_to=%2Fmy%2Fconsents", text: tr.t("home.signIn") } }));
      }
      const form = await readForm(request);
      // A child's consent: acted on as their guardian (the rules ask the registry; anyone else is refused).
      const about = (await service.get(id))?.citizenId;
      const acting: Acting = { citizenId: current.user.subject, via: "portal", ...(about === undefined || about === current.user.subject ? {} : { onBehalfOf: about }) };
      await change(id, acting, (tx) =>
        formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action, target: id }).then(() => undefined),
      );
      return redirect(`/my/consents?notice=${notice}`);
    };
  }
}
