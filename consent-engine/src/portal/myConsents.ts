/**
 * My consents (GET /my/consents): the signed-in citizen's consents, each active one with a Revoke form (its own
 * one-time token); and Revoke (POST /my/consents/:id/revoke), answered once the revocation holds on every gateway.
 */
import { readForm } from "../requestBody.ts";
import type { Handler } from "../router.ts";
import { messagePage, myConsentsPage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

export interface MyConsentsRoutes {
  readonly list: Handler;
  readonly revoke: Handler;
}

export function myConsentsRoutes(parts: PortalParts): MyConsentsRoutes {
  const { service, page, redirect, visitors, formTokens } = parts;
  return {
    list: async (request, _p, url) => {
      const current = await visitors.current(request);
      if (current === undefined) return visitors.startLogin(request, "/my/consents");
      const user = await visitors.signedIn(current);
      const consents = await service.listForCitizen(current.user.subject);
      const revokeTokens = new Map<string, string>();
      for (const c of consents) {
        if (c.status === "ACTIVE") revokeTokens.set(c.consentId, await formTokens.issue(current.session.idHash, "revoke", c.consentId));
      }
      const notice =
        url.searchParams.get("notice") === "revoked"
          ? "Your consent was revoked. The application can no longer see that information."
          : undefined;
      return page(200, myConsentsPage({ consents, catalogue: service.catalogue, purposeText: (c) => service.purposeText(c.consumerId, c.purpose), user, revokeTokens, notice }));
    },
    revoke: async (request, params) => {
      const id = params["id"] ?? "";
      const current = await visitors.current(request);
      if (current === undefined) {
        return page(401, messagePage("Your session has ended", "Nothing was changed. Sign in again to revoke a consent.", { link: { href: "/login?return_to=%2Fmy%2Fconsents", text: "Sign in" } }));
      }
      const form = await readForm(request);
      await service.revoke(id, { citizenId: current.user.subject, via: "portal" }, (tx) =>
        formTokens.consume(tx, form.get("token") ?? "", { sessionHash: current.session.idHash, action: "revoke", target: id }).then(() => undefined),
      );
      return redirect("/my/consents?notice=revoked");
    },
  };
}
