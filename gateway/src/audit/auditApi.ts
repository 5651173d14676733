/**
 * GET /audit/citizens/{nic}/accesses?limit=&before= — the decisions about one citizen, newest first, for the consent
 * portal's "who accessed my data" page. `before` is an ISO 8601 time, or `<time>~<event id>` of the last event of the
 * previous page (no event is skipped when several share a millisecond). Service-authenticated (AUDIT_READ_TOKEN); the
 * portal shows each citizen only their own.
 */
import type { CitizenAccessesAnswer } from "@ndx/contracts";
import { bearerRequired, endpointError, methodNotAllowed, serviceTokenCheck, type Queryable } from "@ndx/platform";
import { accessesAbout, parseCursor } from "./auditQuery.ts";

export function useAuditApi(db: Queryable, readToken: string) {
  const holdsToken = serviceTokenCheck(readToken);
  const answer = async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/audit/")) return undefined;
    const match = /^\/audit\/citizens\/([^/]+)\/accesses$/.exec(url.pathname);
    if (match?.[1] === undefined) return endpointError("NOT_FOUND", "No such audit endpoint");
    if (request.method !== "GET") return methodNotAllowed("GET");
    if (!holdsToken(request)) {
      return bearerRequired("A valid service token is required");
    }
    // A NIC is digits: anything percent-encoded (a malformed escape too) is not one.
    const nic = match[1];
    if (!/^\d{12}$/.test(nic)) return endpointError("BAD_USER_INPUT", "The citizen id must be 12 digits");
    const limitRaw = url.searchParams.get("limit") ?? "50";
    const limit = Number(limitRaw);
    if (!/^\d+$/.test(limitRaw) || limit < 1 || limit > 200) {
      return endpointError("BAD_USER_INPUT", "limit must be between 1 and 200");
    }
    const beforeRaw = url.searchParams.get("before");
    const before = beforeRaw === null ? undefined : parseCursor(beforeRaw);
    if (beforeRaw !== null && before === undefined) {
      return endpointError("BAD_USER_INPUT", "before must be an ISO 8601 time, or <time>~<event id>");
    }
    const accesses: CitizenAccessesAnswer = { citizenId: nic, accesses: await accessesAbout(db, nic, limit, before) };
    return Response.json(accesses);
  };
  return {
    onRequest({ request, endResponse }: { request: Request; endResponse: (r: Response) => void }): Promise<void> | undefined {
      // Every GraphQL request passes here: a string test, no URL parsed and no promise made, for those.
      if (!request.url.includes("/audit/")) return undefined;
      return answer(request).then((response) => {
        if (response !== undefined) endResponse(response);
      });
    },
  };
}
