/**
 * The consent engine as one fetch-style handler: /health and /ready, the JSON API under /v1 (service token), the
 * consent portal's pages, and GET /metrics (consentMetrics.ts). Also runs the expiry sweeper. `nodeHandler` adapts
 * it to node:http.
 */
import type { RequestListener } from "node:http";
import { loadExchangeSeed, loadFarajaland, seedRegister } from "@ndx/fixtures";
import { generateGatewaySigningKey, healthResponse, migrate, readMigrations, type Db, type Logger, type ServiceMetrics } from "@ndx/platform";
import { createServerAdapter } from "@whatwg-node/server";
import { createApi } from "./api.ts";
import { countCoverage } from "./consentCoverageCount.ts";
import { createArtefactRoutes, type ArtefactOptions } from "./artefact/artefactRoutes.ts";
import type { ConsumerTokenOptions } from "./artefact/consumerTokens.ts";
import { createWebhooks, type WebhookOptions } from "./webhook/webhookDelivery.ts";
import { loadFieldCatalogue, type FieldCatalogue } from "./catalogue.ts";
import { createConsentMetrics } from "./consentMetrics.ts";
import { createConsentService, type ConsentService } from "./consentService.ts";
import { currentRevision } from "./consentStore.ts";
import { migrationsDir } from "./migrations.ts";
import type { AuditReader } from "./portal/accessHistory.ts";
import { createFormTokens } from "./portal/formTokens.ts";
import { createOidcLogin } from "./portal/oidcLogin.ts";
import { createPortal } from "./portal/portalRoutes.ts";
import { createSessionStore } from "./portal/sessions.ts";
import { fixedApplicationRegister, type ApplicationRegister } from "./register/applicationRegister.ts";
import { createRevisionFeed, type RevisionFeed } from "./revisionFeed.ts";
import { createDecisionAuthority } from "./guardianship/decisionAuthority.ts";
import type { GuardianshipSource } from "./guardianship/guardianshipClient.ts";

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default "openid profile" */
  readonly scope?: string;
  /** The ID-token claim holding the citizen's NIC. @default "sub" */
  readonly citizenClaim?: string;
}

export interface ConsentEngineOptions {
  readonly db: Db;
  /** The database's postgres:// URL, to hear other instances' revisions (LISTEN); unset with PGlite. */
  readonly databaseUrl?: string | undefined;
  /** The bearer token services present to the API. */
  readonly serviceToken: string;
  /** The portal's public base URL (consent URLs, the OIDC redirect URI). */
  readonly portalUrl: string;
  readonly oidc: OidcClientOptions;
  /** Development: http issuers allowed, cookies without Secure. */
  readonly development: boolean;
  readonly logger: Logger;
  /** @default the bundled field-catalogue.json */
  readonly catalogue?: FieldCatalogue;
  /**
   * The applications: the exchange's register (followExchangeRegister), closed with the engine.
   * @default the fixed development register of the exchange seed and farajaland.json (@ndx/fixtures seedRegister)
   */
  readonly applications?: ApplicationRegister;
  /** @default 3600 */
  readonly requestTtlSeconds?: number;
  /**
   * The revision stream's heartbeat period; a gateway uses no cached answer after twice that without a confirmed
   * acknowledgement, and a revocation waits at most that long for a gateway that does not acknowledge it. @default 2000
   */
  readonly revisionHeartbeatMs?: number;
  /** @default 3600 */
  readonly sessionTtlSeconds?: number;
  /** @default 30 */
  readonly expirySweepSeconds?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** The gateway's audit trail, for the portal's "Who saw my data" (createAuditReader); unset: that page says it is unavailable. */
  readonly auditReader?: AuditReader;
  /** The registry GET /metrics serves. @default a registry of its own, labelled consent-engine */
  readonly metrics?: ServiceMetrics;
  /**
   * Signed consent artefacts: the signing key, previous keys, and whose access tokens the consumer endpoint accepts
   * (issuer @default `oidc.issuer`, audience @default "http://localhost:4000/graphql").
   * @default a key made for this process
   */
  readonly artefacts?: Omit<ArtefactOptions, "consumerTokens"> & { readonly consumerTokens?: Partial<ConsumerTokenOptions> };
  /** Signed webhook notices of answers, to the consumers that registered a URL (signed with the artefact key). @default none */
  readonly webhooks?: WebhookOptions;
  /**
   * Guardian consent: the registry's guardianship answers (createGuardianshipClient) and the age of majority (@default
   * 18). @default none: everyone answers for themselves only, nobody is known to be a minor
   */
  readonly guardianship?: { readonly source: GuardianshipSource; readonly ageOfMajority?: number };
}

export interface ConsentEngine {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly nodeHandler: RequestListener;
  readonly service: ConsentService;
  readonly feed: RevisionFeed;
  readonly metrics: ServiceMetrics;
  close(): Promise<void>;
}

/**
 * Applies the migrations. Applications are no longer seeded (they come from the exchange's register); the second
 * argument, the consumers it once seeded, is accepted and ignored so that existing callers keep working.
 */
export async function prepareConsentDatabase(db: Db, _consumers?: readonly unknown[]): Promise<void> {
  await migrate(db, readMigrations(migrationsDir), "ndx:consent-engine");
}

/** The development fallback: the exchange seed's applications, always current (no EXCHANGE_URL, development only). */
export function developmentApplications(fixturesFile?: string): ApplicationRegister {
  return fixedApplicationRegister(seedRegister(loadExchangeSeed(), loadFarajaland(fixturesFile)));
}

export async function createConsentEngine(options: ConsentEngineOptions): Promise<ConsentEngine> {
  const { db, logger } = options;
  const now = options.now ?? (() => new Date());
  const feed = await createRevisionFeed({
    db,
    initial: await currentRevision(db),
    databaseUrl: options.databaseUrl,
    logger,
    ...(options.revisionHeartbeatMs === undefined ? {} : { heartbeatMs: options.revisionHeartbeatMs }),
  });
  const metrics = createConsentMetrics(feed, options.metrics);
  const applications = options.applications ?? developmentApplications();
  const signingKey = options.artefacts?.key ?? generateGatewaySigningKey();
  const webhooks = options.webhooks === undefined ? undefined : createWebhooks({ ...options.webhooks, db, key: signingKey, logger, now });
  const service = createConsentService({
    answered: webhooks?.answered,
    db,
    feed,
    applications,
    catalogue: options.catalogue ?? loadFieldCatalogue(),
    portalUrl: options.portalUrl,
    now,
    metrics,
    authority: createDecisionAuthority(options.guardianship ?? {}),
    ...(options.requestTtlSeconds === undefined ? {} : { requestTtlSeconds: options.requestTtlSeconds }),
  });
  const sessions = createSessionStore({
    db,
    secure: !options.development,
    now,
    ...(options.sessionTtlSeconds === undefined ? {} : { ttlSeconds: options.sessionTtlSeconds }),
  });
  const formTokens = createFormTokens({ db, now });
  const login = createOidcLogin({
    issuer: options.oidc.issuer,
    clientId: options.oidc.clientId,
    clientSecret: options.oidc.clientSecret,
    redirectUri: new URL("/auth/callback", options.portalUrl).toString(),
    postLogoutRedirectUri: new URL("/", options.portalUrl).toString(),
    allowHttp: options.development,
    ...(options.oidc.scope === undefined ? {} : { scope: options.oidc.scope }),
    ...(options.oidc.citizenClaim === undefined ? {} : { citizenClaim: options.oidc.citizenClaim }),
  });
  const api = createApi({ service, feed, serviceToken: options.serviceToken, logger, coverage: (provider, field) => countCoverage(db, provider, field) });
  const artefacts = createArtefactRoutes({
    key: signingKey,
    previous: options.artefacts?.previous ?? [],
    consumerTokens: {
      issuer: options.oidc.issuer,
      audience: "http://localhost:4000/graphql",
      ...options.artefacts?.consumerTokens,
    },
    service,
    serviceToken: options.serviceToken,
    issuer: options.portalUrl,
    logger,
    now,
  });
  const portal = createPortal({
    service,
    sessions,
    formTokens,
    login,
    publicUrl: options.portalUrl,
    issuer: options.oidc.issuer,
    logger,
    auditReader: options.auditReader,
    guardians: { source: options.guardianship?.source, ageOfMajority: options.guardianship?.ageOfMajority ?? 18, now },
  });

  const fetchHandler = metrics.http.fetch(async (request: Request): Promise<Response> => {
    const health = await healthResponse(request, {
      database: async () => {
        await db.query("SELECT 1");
      },
    });
    if (health !== undefined) return health;
    const answer = (await artefacts(request)) ?? (await api(request)) ?? (await portal(request));
    if (answer !== undefined) return answer;
    return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  });

  const sweep = async () => {
    try {
      const expired = await service.expireDue();
      if (expired > 0) logger.info({ expired }, "consents expired");
      await sessions.purgeExpired();
    } catch (error) {
      logger.error({ err: error }, "expiry sweep failed");
    }
  };
  const timer = setInterval(() => void sweep(), (options.expirySweepSeconds ?? 30) * 1000);
  timer.unref();
  await sweep();

  const adapter = createServerAdapter(fetchHandler);
  return {
    fetch: fetchHandler,
    nodeHandler: (req, res) => void adapter(req, res),
    service,
    feed,
    metrics: metrics.service,
    async close() {
      clearInterval(timer);
      webhooks?.close();
      applications.close();
      await feed.close();
    },
  };
}
