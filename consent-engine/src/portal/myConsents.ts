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
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export interface MyConsentsRoutes {
  readonly list: Handler;
  readonly revoke: Handler;
  readonly pause: Handler;
  readonly resume: Handler;
}

const notices: Record<string, string> = {
  revoked: "Your consent was revoked. The application can no longer see that information.",
  paused: "Your consent is paused. The application cannot see that information until you resume it.",
  resumed: "Your consent is active again.",
};

export function myConsentsRoutes(parts: PortalParts): MyConsentsRoutes {
  const { service, page, redirect, visitors, formTokens } = parts;
  return {
    list: async (request, _p, url) => {
      const current = await visitors.current(request);
      if (current === undefined) return visitors.startLogin(request, "/my/consents");
      const user = await visitors.signedIn(current);
      const consents = await service.listForCitizen(current.user.subject);
      const tokens = new Map<string, string>();
      for (const c of consents) {
        const actions: FormAction[] = c.status === "ACTIVE" ? ["pause", "revoke"] : c.status === "PAUSED" ? ["resume", "revoke"] : [];
        for (const a of actions) tokens.set(`${a}:${c.consentId}`, await formTokens.issue(current.session.idHash, a, c.consentId));
      }
      const notice = notices[url.searchParams.get("notice") ?? ""];
      const purposeText = (c: (typeof consents)[number]) => c.purposeText ?? service.purposeText(c.consumerId, c.purpose);
      return page(200, myConsentsPage({ consents, catalogue: service.catalogue, purposeText, user, formTokens: tokens, notice }));
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
        return page(401, messagePage("Your session has ended", `Nothing was changed. Sign in again to ${action} a consent.`, { link: { href: "/login?return_to=%2Fmy%2Fconsents", text: "Sign in" } }));
      }
      const form = await readForm(request);
      await change(id, { citizenId: current.user.subject, via: "portal" }, (tx) =>
        formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action, target: id }).then(() => undefined),
      );
      return redirect(`/my/consents?notice=${notice}`);
    };
  }
}
