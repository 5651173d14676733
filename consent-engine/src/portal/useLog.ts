/**
 * How my consents were used (GET /my/uses): the signed-in citizen's consents with the times each was used and when
 * last, from the gateway's audit trail (consentUseLog.ts). When the trail cannot be read, the page says so (503).
 */
import type { Handler } from "../router.ts";
import { AuditUnavailableError, type AuditReader } from "./accessHistory.ts";
import { readUseLog, useLogMaxRecords, type UseLog } from "./consentUseLog.ts";
import { consentTexts } from "./consentTexts.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import { useLogPage } from "./useLogPage.ts";

export function useLogRoute(parts: PortalParts, auditReader: AuditReader | undefined): Handler {
  const { service, page, visitors, logger } = parts;
  return async (request) => {
    const current = await visitors.current(request);
    if (current === undefined) return visitors.startLogin(request, "/my/uses");
    const user = await visitors.signedIn(current);
    const tr = translatorFor(request);
    const title = tr.t("uses.unavailableTitle");
    const why = tr.t("uses.unavailableMessage");
    const unavailable = { link: { href: "/my/consents", text: tr.t("common.goToMyConsents") } };
    if (auditReader === undefined) return page(503, messagePage(tr, title, why, { user, ...unavailable }));
    const consents = await service.listForCitizen(current.user.subject);
    let log: UseLog;
    try {
      log = await readUseLog(auditReader, current.user.subject, consents);
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      logger.warn({ reason: error.message }, "use log: audit records unavailable");
      return page(503, messagePage(tr, title, why, { user, ...unavailable }));
    }
    const texts = (c: (typeof consents)[number]) =>
      consentTexts(service, c.consumerId, c.purpose, c.consumerName, c.purposeText ?? service.purposeText(c.consumerId, c.purpose));
    return page(200, useLogPage(tr, log, texts, user, useLogMaxRecords));
  };
}
