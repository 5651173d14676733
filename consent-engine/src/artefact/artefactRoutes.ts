/**
 * The artefact's endpoints: `GET /.well-known/jwks.json` (the keys that verify artefacts and webhooks, no token),
 * `GET /consumer/v1/consents/{id}/artefact` for the consumer the consent was given to (its own access token; any
 * other consumer is told there is no such consent), and `GET /v1/consents/{id}/artefact` for NDX services (service
 * token). A consent that was never granted has no artefact (409). And `GET /consumer/v1/consent-requests/{id}`: where
 * a request of the consumer's stands (asynchronous consent: the consumer polls it while the citizen answers in the
 * portal's inbox).
 */
import type { Logger, PublicJwk } from "@ndx/platform";
import { conflict, errorResponse, notFound } from "../apiError.ts";
import type { ConsentService } from "../consentService.ts";
import { consentIdPattern } from "../consentView.ts";
import { serviceAuthenticator } from "../serviceAuth.ts";
import { artefactJwks, type ArtefactSigningKey } from "./artefactKeys.ts";
import { artefactOf, signArtefact } from "./consentArtefact.ts";
import { consumerTokenVerifier, type ConsumerTokenOptions } from "./consumerTokens.ts";

export interface ArtefactOptions {
  /** The key artefacts are signed with (CONSENT_SIGNING_KEY, or development's kept key). */
  readonly key: ArtefactSigningKey;
  /** Keys published beside it (CONSENT_SIGNING_KEY_PREVIOUS). @default none */
  readonly previous?: readonly PublicJwk[];
  /** Whose tokens the consumer endpoint accepts. */
  readonly consumerTokens: ConsumerTokenOptions;
}

const jsonHeaders = { "cache-control": "no-store" };

/** The id in a path segment; a malformed percent-escape is kept as it came, which names no consent (404). */
function idOf(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    return segment ?? "";
  }
}

const consumerPath = /^\/consumer\/v1\/consents\/([^/]+)\/artefact$/;
const statusPath = /^\/consumer\/v1\/consent-requests\/([^/]+)$/;
const servicePath = /^\/v1\/consents\/([^/]+)\/artefact$/;

export function createArtefactRoutes(
  options: ArtefactOptions & { readonly service: ConsentService; readonly serviceToken: string; readonly issuer: string; readonly logger: Logger; readonly now: () => Date },
): (request: Request) => Promise<Response | undefined> {
  const { service, key } = options;
  const jwks = artefactJwks(key, options.previous ?? []);
  const consumerOf = consumerTokenVerifier(options.consumerTokens);
  const serviceAuth = serviceAuthenticator(options.serviceToken);

  /** The signed artefact of `id`, for `consumerId` when given (anyone else: not found). */
  async function artefact(id: string, consumerId?: string): Promise<Response> {
    // With its history: who answered it (the citizen, or a minor's guardian) is read from its events.
    const consent = consentIdPattern.test(id) ? await service.get(id, { history: true }) : undefined;
    if (consent === undefined || (consumerId !== undefined && consent.consumerId !== consumerId)) throw notFound(`No consent ${id}`);
    if (consent.grantedAt === null) throw conflict(`This consent was never granted (${consent.status}): it has no artefact`, { status: consent.status });
    const jws = await signArtefact(key, artefactOf(consent, options.issuer, options.now()));
    return Response.json({ consentId: id, artefact: jws, jwksUri: new URL("/.well-known/jwks.json", options.issuer).toString() }, { headers: jsonHeaders });
  }

  /** Where the consumer's request stands: its status and times, nothing about the citizen it does not know. */
  async function standing(id: string, consumerId: string): Promise<Response> {
    const consent = consentIdPattern.test(id) ? await service.get(id) : undefined;
    if (consent === undefined || consent.consumerId !== consumerId) throw notFound(`No consent request ${id}`);
    const { consentId, consentRequestId, status, createdAt, requestExpiresAt, decidedAt, grantedAt, expiresAt, revokedAt, supersededBy, consentUrl } = consent;
    const answer = { consentId, consentRequestId, status, createdAt, requestExpiresAt, decidedAt, grantedAt, expiresAt, revokedAt, supersededBy, consentUrl };
    return Response.json(answer, { headers: jsonHeaders });
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    const consumerMatch = consumerPath.exec(pathname);
    const serviceMatch = servicePath.exec(pathname);
    const statusMatch = statusPath.exec(pathname);
    if (pathname !== "/.well-known/jwks.json" && consumerMatch === null && serviceMatch === null && statusMatch === null) return undefined;
    try {
      if (request.method !== "GET") return Response.json({ code: "BAD_USER_INPUT", message: `${request.method} is not allowed` }, { status: 405 });
      if (pathname === "/.well-known/jwks.json") {
        return Response.json(jwks, { headers: { "cache-control": "public, max-age=300", "content-type": "application/jwk-set+json" } });
      }
      // The caller first, then the id: an unauthenticated request is told so whatever its path holds.
      if (consumerMatch !== null) {
        const consumer = await consumerOf(request);
        return await artefact(idOf(consumerMatch[1]), consumer);
      }
      if (statusMatch !== null) {
        const consumer = await consumerOf(request);
        return await standing(idOf(statusMatch[1]), consumer);
      }
      serviceAuth(request);
      return await artefact(idOf(serviceMatch?.[1]));
    } catch (error) {
      return errorResponse(error, (err) => options.logger.error({ err }, "consent artefact request failed"));
    }
  };
}
