/**
 * `GET /v1/guardianship/{nic}`: who answers for whom (guardianship.ts), for the consent engine, with its own
 * credential (`Authorization: Bearer <REGISTRY_GUARDIANSHIP_TOKEN>`), as the events feed has its own: it is not the
 * gateway's and opens nothing else. Never cached (`no-store`): a guardianship removed in the register stops counting
 * on the engine's next question.
 */
import { serviceTokenCheck, type Queryable } from "@ndx/platform";
import { guardianshipOf } from "./guardianship.ts";

export interface GuardianshipRouteOptions {
  readonly db: Queryable;
  /** The credential the consent engine presents. */
  readonly token: string;
}

const route = /^\/v1\/guardianship\/([^/]*)$/;

export function useGuardianshipRoute(options: GuardianshipRouteOptions) {
  const holdsToken = serviceTokenCheck(options.token);
  const problem = (status: number, code: string, message: string) =>
    Response.json({ code, message }, { status, headers: { "cache-control": "no-store" } });

  return {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      const match = route.exec(url.pathname);
      if (match === null) return;
      if (request.method !== "GET") return endResponse(problem(405, "BAD_USER_INPUT", "GET only"));
      if (!holdsToken(request)) {
        return endResponse(problem(401, "UNAUTHENTICATED", "the guardianship route needs Authorization: Bearer <REGISTRY_GUARDIANSHIP_TOKEN>"));
      }
      const nic = match[1] ?? "";
      if (!/^[0-9]{12}$/.test(nic)) return endResponse(problem(400, "BAD_USER_INPUT", "a NIC is 12 digits"));
      endResponse(Response.json(await guardianshipOf(options.db, nic), { headers: { "cache-control": "no-store" } }));
    },
  };
}
