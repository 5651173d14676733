/**
 * Who saw my data (GET /my/accesses): the signed-in citizen's own records from the gateway's audit trail, newest
 * first, 20 to a page with an "Older" link, each naming the application, and the download of their evidence package.
 * Staff accounts are told the page is for citizens; when the trail cannot be read, the page says so (503).
 */
import type { ConsentService } from "../consentService.ts";
import type { Handler } from "../router.ts";
import { AuditUnavailableError, type AuditReader, type CitizenAccess } from "./accessHistory.ts";
import { accessesForCitizensPage, accessesPage, accessesUnavailablePage, isShownDecision, type AccessRow } from "./accessesPages.ts";
import { consentTexts } from "./consentTexts.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import type { SessionUser } from "./sessions.ts";

/** Records shown per page of "Who saw my data". */
const accessPageSize = 20;
/** Records asked of the gateway per page: more than shown, since records not about an identified application are left out. */
const accessFetchSize = 50;
/** At most this many requests to the gateway per page view. */
const accessMaxBatches = 3;
/** An "Older" link's position: the last record shown, as `<time>~<record id>` (the audit API's cursor). */
const accessCursor = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))(?:~[A-Za-z0-9-]{1,64})?$/;
const cursorOf = (access: CitizenAccess) => `${access.at}~${access.id}`;

/** A citizen, not a staff account: the provider says so, or (a provider without a `kind` claim) the subject is a NIC. */
function isCitizen(user: SessionUser): boolean {
  return user.kind === undefined ? /^\d{12}$/.test(user.subject) : user.kind === "citizen";
}

const isValidCursor = (before: string): boolean => accessCursor.test(before) && !Number.isNaN(Date.parse(before.split("~")[0] ?? ""));

/**
 * Only ever the citizen's own records, from `before` back. Records left out (not about an identified application)
 * are skipped: a few more batches are read until a page is full or the trail ends. `more`: the gateway may hold more.
 */
async function readOwnAccesses(reader: AuditReader, citizenId: string, before: string | undefined): Promise<{ fetched: CitizenAccess[]; more: boolean }> {
  const fetched: CitizenAccess[] = [];
  let more = false;
  let cursor = before;
  for (let batchNo = 0; batchNo < accessMaxBatches; batchNo++) {
    const batch = await reader.accessesAbout(citizenId, { limit: accessFetchSize, before: cursor });
    fetched.push(...batch);
    more = batch.length === accessFetchSize;
    const last = batch.at(-1);
    cursor = last === undefined ? undefined : cursorOf(last);
    if (!more || fetched.filter((a) => isShownDecision(a.decision)).length > accessPageSize) break;
  }
  return { fetched, more };
}

/**
 * The rows of one page, each with its application's name and purpose text as last registered with the exchange
 * (labels only: this page decides nothing, so it is shown even while the register is stale).
 */
function namedRows(service: ConsentService, accesses: readonly AccessRow["access"][]): AccessRow[] {
  return accesses.map((access) => ({
    access,
    texts:
      access.consumer === null
        ? undefined
        : consentTexts(service, access.consumer, access.purpose ?? "", access.consumer, access.purpose === null ? "" : service.purposeText(access.consumer, access.purpose)),
  }));
}

export function whoSawMyData(parts: PortalParts, auditReader: AuditReader | undefined): Handler {
  const { service, page, visitors, logger } = parts;
  return async (request, _p, url) => {
    const current = await visitors.current(request);
    if (current === undefined) return visitors.startLogin(request, "/my/accesses");
    const user = await visitors.signedIn(current);
    const tr = translatorFor(request);
    if (!isCitizen(current.user)) return page(403, accessesForCitizensPage(tr, user));
    const before = url.searchParams.get("before") ?? undefined;
    if (before !== undefined && !isValidCursor(before)) {
      return page(400, messagePage(tr, tr.t("question.badStateTitle"), tr.t("access.badCursor"), { user, link: { href: "/my/accesses", text: tr.t("access.newestLink") } }));
    }
    if (auditReader === undefined) return page(503, accessesUnavailablePage(tr, user));
    let read: { fetched: CitizenAccess[]; more: boolean };
    try {
      read = await readOwnAccesses(auditReader, current.user.subject, before);
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      logger.warn({ reason: error.message }, "who-saw-my-data: audit records unavailable");
      return page(503, accessesUnavailablePage(tr, user));
    }
    const { fetched, more } = read;
    const shown = fetched.flatMap((access) => (isShownDecision(access.decision) ? [{ ...access, decision: access.decision }] : []));
    const onPage = shown.slice(0, accessPageSize);
    // Older records: after the last one shown when more were read than fit; else after the last one read, when the
    // gateway may hold more.
    const continueAfter = shown.length > accessPageSize ? onPage.at(-1) : more ? fetched.at(-1) : undefined;
    return page(
      200,
      accessesPage(tr, {
        rows: namedRows(service, onPage),
        catalogue: service.catalogue,
        user,
        newest: before === undefined,
        olderHref: continueAfter === undefined ? undefined : `/my/accesses?${new URLSearchParams({ before: cursorOf(continueAfter) }).toString()}`,
      }),
    );
  };
}

/**
 * GET /my/accesses/evidence.zip: the signed-in citizen's own evidence package from the gateway, as a download — their
 * records in full, other people's only as hashes — which anyone can verify offline (`npm run audit:verify-package`).
 */
export function evidenceDownload(parts: PortalParts, auditReader: AuditReader | undefined): Handler {
  const { page, visitors, logger } = parts;
  return async (request) => {
    const current = await visitors.current(request);
    if (current === undefined) return visitors.startLogin(request, "/my/accesses");
    const user = await visitors.signedIn(current);
    const tr = translatorFor(request);
    if (!isCitizen(current.user)) return page(403, accessesForCitizensPage(tr, user));
    if (auditReader?.evidencePackage === undefined) return page(503, accessesUnavailablePage(tr, user));
    let zip: Uint8Array;
    try {
      zip = await auditReader.evidencePackage(current.user.subject);
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      logger.warn({ reason: error.message }, "who-saw-my-data: evidence package unavailable");
      return page(503, accessesUnavailablePage(tr, user));
    }
    return new Response(new Uint8Array(zip), {
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="who-saw-my-data-${new Date().toISOString().slice(0, 10)}.zip"`,
        "cache-control": "no-store",
      },
    });
  };
}
