/**
 * `GET /events?after=<position>&limit=<n>`: the outbox as a feed for downstream services (deduplication,
 * notifications, search), with their own credential (`Authorization: Bearer <REGISTRY_EVENTS_TOKEN>`). A consumer
 * keeps the `next` of the last page it finished handling and asks again from there: it sees every applied change
 * once, in order (at least once if it stops between handling and saving `next`).
 */
import { bearerRequired, endpointError, methodNotAllowed, serviceTokenCheck, type Queryable } from "@ndx/platform";
import { readOutbox } from "./outbox.ts";

export interface EventFeedOptions {
  readonly db: Queryable;
  /** The credential feed readers present. */
  readonly token: string;
  /** @default "/events" */
  readonly path?: string;
  /** Largest page. @default 500 */
  readonly maxLimit?: number;
}

export function useEventFeed(options: EventFeedOptions) {
  const { db, path = "/events", maxLimit = 500 } = options;
  const holdsToken = serviceTokenCheck(options.token);

  return {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname !== path) return;
      if (request.method !== "GET") return endResponse(methodNotAllowed("GET"));
      if (!holdsToken(request)) {
        return endResponse(bearerRequired("the events feed needs Authorization: Bearer <REGISTRY_EVENTS_TOKEN>"));
      }
      const after = url.searchParams.get("after") ?? "0";
      const limit = url.searchParams.get("limit") ?? "100";
      if (!/^\d{1,15}$/.test(after)) return endResponse(endpointError("BAD_USER_INPUT", "after must be a position: a whole number, 0 for the start"));
      if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > maxLimit) {
        return endResponse(endpointError("BAD_USER_INPUT", `limit must be from 1 to ${maxLimit}`));
      }
      const page = await readOutbox(db, Number(after), Number(limit));
      endResponse(Response.json(page, { headers: { "cache-control": "no-store" } }));
    },
  };
}
