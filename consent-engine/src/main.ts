/**
 * Starts the consent engine: configuration, storage (migrations), the exchange's register of applications (followed at
 * EXCHANGE_URL; in development without it, a fixed register from the exchange seed), API and portal.
 */
import { listen, loadShutdownConfig, openDb, runService, startTelemetry, traceNodeRequests } from "@ndx/platform";
import { loadOrCreateKeptKey } from "./artefact/artefactKeys.ts";
import { loadConsentEngineConfig } from "./config.ts";
import { createAuditReader } from "./portal/accessHistory.ts";
import { followExchangeRegister } from "./register/registerFollower.ts";
import { createConsentEngine, developmentApplications, prepareConsentDatabase } from "./server.ts";
import { followingSupergraph, loadFieldCatalogue } from "./catalogue.ts";
import { followSupergraphCatalogue } from "./catalogueFollower.ts";
import { createGuardianshipClient } from "./guardianship/guardianshipClient.ts";

const config = loadConsentEngineConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("consent-engine", config.LOG_LEVEL, config.tracing);

await runService("consent-engine", logger, async () => {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "consent" });
  await prepareConsentDatabase(db);
  const applications =
    config.EXCHANGE_URL === undefined
      ? developmentApplications(config.NDX_FIXTURES_FILE)
      : followExchangeRegister({ url: config.EXCHANGE_URL, serviceToken: config.EXCHANGE_SERVICE_TOKEN, logger });
  // The fields a consent can cover follow the supergraph the schema registry has active (new personal fields).
  const catalogue = followingSupergraph(loadFieldCatalogue());
  const catalogueFollower =
    config.EXCHANGE_URL === undefined
      ? undefined
      : followSupergraphCatalogue({ url: config.EXCHANGE_URL, serviceToken: config.EXCHANGE_SERVICE_TOKEN, catalogue, logger });
  const engine = await createConsentEngine({
    db,
    applications,
    catalogue,
    databaseUrl: config.DATABASE_URL,
    serviceToken: config.CONSENT_SERVICE_TOKEN,
    portalUrl: config.PORTAL_PUBLIC_URL,
    oidc: {
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      scope: config.OIDC_SCOPE,
      citizenClaim: config.OIDC_CITIZEN_CLAIM,
    },
    development: config.NDX_ENV === "development",
    logger,
    requestTtlSeconds: config.CONSENT_REQUEST_TTL_SECONDS,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    expirySweepSeconds: config.EXPIRY_SWEEP_SECONDS,
    revisionHeartbeatMs: config.REVISION_HEARTBEAT_MS,
    auditReader: createAuditReader({ gatewayUrl: config.GATEWAY_URL, token: config.AUDIT_READ_TOKEN }),
    artefacts: {
      // Development without CONSENT_SIGNING_KEY: a key made once and kept, so artefacts signed before a restart verify.
      key: config.CONSENT_SIGNING_KEY ?? (await loadOrCreateKeptKey(config.CONSENT_KEYS_DIR)),
      previous: config.CONSENT_SIGNING_KEY_PREVIOUS,
      consumerTokens: { issuer: config.OIDC_ISSUER, audience: config.CONSUMER_TOKEN_AUDIENCE },
    },
    // Development: a receiver on localhost is allowed; otherwise https to public addresses only (SSRF guard).
    webhooks: { urls: config.CONSENT_WEBHOOKS, allowPrivateAddresses: config.NDX_ENV === "development" },
    // Guardian consent: who guards whom, asked of the registry on every page and action that needs it (never cached).
    ...(config.REGISTRY_URL === undefined || config.REGISTRY_GUARDIANSHIP_TOKEN === undefined
      ? {}
      : {
          guardianship: {
            source: createGuardianshipClient({ registryUrl: config.REGISTRY_URL, token: config.REGISTRY_GUARDIANSHIP_TOKEN, timeoutMs: config.GUARDIANSHIP_TIMEOUT_MS }),
            ageOfMajority: config.AGE_OF_MAJORITY,
          },
        }),
  });
  // The gateways' revision stream stays open for hours: no span for it (its acknowledgements are traced).
  const handler =
    tracing === undefined ? engine.nodeHandler : traceNodeRequests(engine.nodeHandler, tracing, { untraced: ["/v1/revision/stream"] });
  const http = await listen(handler, config.PORT, config.HOST, shutdown);
  logger.info(
    { url: http.url, portal: config.PORTAL_PUBLIC_URL, issuer: config.OIDC_ISSUER, gateway: config.GATEWAY_URL, exchange: config.EXCHANGE_URL ?? "fixed development register", storage: db.kind },
    "consent engine listening",
  );
  if (config.NDX_ENV === "development" && config.CONSENT_SERVICE_TOKEN === "dev-consent-service-token") {
    logger.warn("using the development service token (set CONSENT_SERVICE_TOKEN outside development)");
  }
  if (config.REGISTRY_URL === undefined) logger.warn("no REGISTRY_URL: no guardian consent (nobody answers for anyone else, no one is known to be a minor)");
  if (config.EXCHANGE_URL === undefined) logger.warn("no EXCHANGE_URL: applications from the fixed development register (exchange seed)");
  return {
    async close() {
      catalogueFollower?.close();
      await http.close();
      await engine.close();
      await db.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
