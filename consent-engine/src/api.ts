/**
 * The engine's JSON API under /v1, for the gateway and other NDX services (service bearer token on every call):
 * open, fetch and check consent requests; grant, refuse, revoke and list on a citizen's behalf; the revision and
 * its push channels; the consent summary for the admin console's charts. Documented in consent-engine/README.md.
 */
import type { RevisionAckAnswer } from "@ndx/contracts";
import { setRequestRoute, type Logger } from "@ndx/platform";
import { ApiError, badInput, errorResponse, notFound } from "./apiError.ts";
import type { ConsentService } from "./consentService.ts";
import { summaryDays } from "./consentSummary.ts";
import { coverageQuery, type CoverageCount } from "./consentCoverageCount.ts";
import { actingRequest, checkRequest, grantRequest, isCitizenId, scopeRequest } from "./inputs.ts";
import { readJson } from "./requestBody.ts";
import type { RevisionFeed } from "./revisionFeed.ts";
import { revisionStream } from "./revisionStream.ts";
import { createRouter } from "./router.ts";
import { serviceAuthenticator } from "./serviceAuth.ts";

export interface ApiOptions {
  readonly service: ConsentService;
  readonly feed: RevisionFeed;
  /** The bearer token services present. */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Longest long-poll wait. @default 30 */
  readonly maxWaitSeconds?: number;
  /** Counts the live consents covering a field (GET /v1/consents/coverage). @default none: the endpoint answers 404 */
  readonly coverage?: ((provider: string, field: string) => Promise<CoverageCount>) | undefined;
}

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

export function createApi(options: ApiOptions): (request: Request) => Promise<Response | undefined> {
  const { service, feed } = options;
  const authenticate = serviceAuthenticator(options.serviceToken);
  const maxWait = options.maxWaitSeconds ?? 30;

  const found = async (id: string) => {
    const consent = await service.get(id, { history: true });
    if (consent === undefined) throw notFound(`No consent request ${id}`);
    return json(consent);
  };

  const router = createRouter()
    .add("POST", "/v1/consent-requests", async (request) => {
      const { consent, created } = await service.openRequest(scopeRequest(await readJson(request)));
      return json({ ...consent, reused: !created }, created ? 201 : 200);
    })
    .add("GET", "/v1/consent-requests/:id", (_r, p) => found(p["id"] ?? ""))
    // Before /v1/consents/:id, which would take "summary" for an id.
    .add("GET", "/v1/consents/summary", async (_r, _p, url) => json(await service.summary(summaryDays(url.searchParams))))
    .add("GET", "/v1/consents/coverage", async (_r, _p, url) => {
      if (options.coverage === undefined) throw notFound("No API endpoint GET /v1/consents/coverage");
      const { provider, field } = coverageQuery(url.searchParams);
      return json(await options.coverage(provider, field));
    })
    .add("GET", "/v1/consents/:id", (_r, p) => found(p["id"] ?? ""))
    .add("POST", "/v1/consent-requests/:id/grant", async (request, p) => {
      const input = grantRequest(await readJson(request));
      return json(await service.grant(p["id"] ?? "", { ...input, via: "api" }));
    })
    .add("POST", "/v1/consent-requests/:id/reject", async (request, p) => {
      const input = actingRequest(await readJson(request));
      return json(await service.reject(p["id"] ?? "", { ...input, via: "api" }));
    })
    .add("POST", "/v1/consents/:id/revoke", async (request, p) => {
      const input = actingRequest(await readJson(request));
      return json(await service.revoke(p["id"] ?? "", { ...input, via: "api" }));
    })
    .add("POST", "/v1/consents/:id/pause", async (request, p) => {
      const input = actingRequest(await readJson(request));
      return json(await service.pause(p["id"] ?? "", { ...input, via: "api" }));
    })
    .add("POST", "/v1/consents/:id/resume", async (request, p) => {
      const input = actingRequest(await readJson(request));
      return json(await service.resume(p["id"] ?? "", { ...input, via: "api" }));
    })
    .add("POST", "/v1/consents/check", async (request) => json(await service.check(checkRequest(await readJson(request)))))
    .add("GET", "/v1/consents", async (_r, _p, url) => {
      const citizenId = url.searchParams.get("citizenId") ?? "";
      if (!isCitizenId(citizenId)) throw badInput("citizenId (a NIC) is required", { property: "citizenId" });
      return json({ citizenId, consents: await service.listForCitizen(citizenId) });
    })
    .add("GET", "/v1/consumers/:id", async (_r, p) => {
      const application = service.applications.current(p["id"] ?? "");
      if (application === undefined) throw notFound(`No consumer ${p["id"]}`);
      const { id, name, description, member, status, redirectUris, purposes } = application;
      const language = application.language ?? "en";
      const nameTranslations = application.nameTranslations ?? [];
      return json({ id, name, language, nameTranslations, description, member, status, redirectUris, purposes });
    })
    .add("GET", "/v1/fields", async () => json(service.catalogue.toJSON()))
    .add("GET", "/v1/revision", async (request, _p, url) => {
      const after = url.searchParams.get("after");
      if (after === null) return json({ revision: await service.revision() });
      const wait = url.searchParams.get("waitSeconds") ?? "25";
      if (!/^\d{1,18}$/.test(after)) throw badInput("after must be a revision number", { property: "after" });
      if (!/^\d{1,3}$/.test(wait) || Number(wait) > maxWait) {
        throw badInput(`waitSeconds must be from 0 to ${maxWait}`, { property: "waitSeconds" });
      }
      const current = await service.revision();
      if (current > Number(after)) return json({ revision: current });
      return json({ revision: await feed.waitBeyond(Number(after), Number(wait) * 1000, request.signal) });
    })
    .add("GET", "/v1/revision/stream", async (request) => revisionStream(feed, await service.revision(), request.signal))
    .add("POST", "/v1/revision/ack", async (request) => {
      const body = await readJson(request);
      const o = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
      const subscriber = o["subscriber"];
      const revision = o["revision"];
      if (typeof subscriber !== "string" || !/^[0-9a-f-]{36}$/.test(subscriber)) {
        throw badInput("subscriber must be the id the revision stream gave", { property: "subscriber" });
      }
      if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0) {
        throw badInput("revision must be a revision number", { property: "revision" });
      }
      // Against the database's revision, not only this process's: another instance may have committed a newer one.
      const answer = await feed.acknowledge(subscriber, revision);
      if (answer === undefined) throw notFound("No such revision stream subscriber (reconnect)");
      // confirmed: the subscriber is up to date and may trust its cache for staleAfterMs from when it sent this.
      const acknowledged: RevisionAckAnswer = {
        subscriber,
        revision,
        latest: answer.latest,
        confirmed: answer.confirmed,
        staleAfterMs: feed.staleAfterMs,
      };
      return json(acknowledged);
    });

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/v1" && !url.pathname.startsWith("/v1/")) return undefined;
    try {
      authenticate(request);
      const match = router.match(request.method, url.pathname);
      if (match === undefined) throw notFound(`No API endpoint ${request.method} ${url.pathname}`);
      if (match === "method-not-allowed") {
        throw new ApiError("BAD_USER_INPUT", `${request.method} is not allowed on ${url.pathname}`, { status: 405 });
      }
      setRequestRoute(request, match.route);
      return await match.handler(request, match.params, url);
    } catch (error) {
      return errorResponse(error, (err) => options.logger.error({ err }, "consent API request failed"));
    }
  };
}
