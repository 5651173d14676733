/**
 * Receipts in the portal: `GET /my/consents/{id}/receipt` (the printable page) and `/receipt.jsonld` (the
 * ISO/IEC TS 27560 record as a JSON-LD file to download), for the signed-in citizen's own consents only (anyone
 * else's: not found; a minor's guardian reads the minor's); and the receipt's JSON-LD context, public, at `/contexts/consent-receipt.jsonld`.
 */
import type { PortalParts } from "../portal/portalParts.ts";
import { consentTexts } from "../portal/consentTexts.ts";
import { translatorFor } from "../portal/pageLanguage.ts";
import { messagePage } from "../portal/pages.ts";
import type { Handler } from "../router.ts";
import { consentReceipt } from "./consentReceipt.ts";
import { receiptContext } from "./receiptContext.ts";
import { receiptPage } from "./receiptPage.ts";

export interface ReceiptRoutes {
  readonly page: Handler;
  readonly download: Handler;
  readonly context: Handler;
}

const jsonLd = (body: unknown, headers: Record<string, string>) =>
  new Response(JSON.stringify(body, null, 2), {
    headers: { "content-type": "application/ld+json; charset=utf-8", "x-content-type-options": "nosniff", ...headers },
  });

export function receiptRoutes(parts: PortalParts, portalUrl: string, now: () => Date): ReceiptRoutes {
  const { service, page, visitors } = parts;

  /** The signed-in citizen's own consent with its history, or a response to send instead. */
  async function ownConsent(request: Request, id: string, returnTo: string) {
    const current = await visitors.current(request);
    if (current === undefined) return { response: await visitors.startLogin(request, returnTo) };
    const user = await visitors.signedIn(current);
    const consent = await service.get(id, { history: true });
    // Their own, or a child's they are the guardian of (asked of the registry); anyone else's: not found.
    const mayRead = async (c: { citizenId: string }) =>
      c.citizenId === current.user.subject || (await parts.guardians.answererFor(current.user.subject, c.citizenId)).kind === "guardian";
    if (consent === undefined || !(await mayRead(consent))) {
      const tr = translatorFor(request);
      return { response: page(404, messagePage(tr, tr.t("receipt.notFoundTitle"), tr.t("receipt.notFoundMessage"), { user, link: { href: "/my/consents", text: tr.t("common.goToMyConsents") } })) };
    }
    return { consent, user };
  }

  return {
    page: async (request, params) => {
      const id = params["id"] ?? "";
      const own = await ownConsent(request, id, `/my/consents/${encodeURIComponent(id)}/receipt`);
      if ("response" in own) return own.response;
      const c = own.consent;
      const texts = consentTexts(service, c.consumerId, c.purpose, c.consumerName, c.purposeText ?? c.purpose);
      return page(200, receiptPage(translatorFor(request), c, service.catalogue, own.user, texts));
    },
    download: async (request, params) => {
      const id = params["id"] ?? "";
      const own = await ownConsent(request, id, `/my/consents/${encodeURIComponent(id)}/receipt.jsonld`);
      if ("response" in own) return own.response;
      return jsonLd(consentReceipt(own.consent, service.catalogue, portalUrl, now()), {
        "cache-control": "no-store",
        "content-disposition": `attachment; filename="consent-receipt-${own.consent.consentId}.jsonld"`,
      });
    },
    context: async () => jsonLd(receiptContext(portalUrl), { "cache-control": "public, max-age=3600", "access-control-allow-origin": "*" }),
  };
}
