/** Starts the exchange subgraph: configuration, storage (migrations, the seed of a fresh database), HTTP. */
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { listen, loadShutdownConfig, migrate, openDb, readMigrations, runService, startTelemetry } from "@ndx/platform";
import { loadFieldCatalogue } from "./catalogue/fieldCatalogue.ts";
import { createClientRegistrar } from "./clientRegistration.ts";
import { loadExchangeConfig } from "./config.ts";
import { migrationsDir } from "./migrations.ts";
import { seedExchange } from "./seed/seedExchange.ts";
import { createExchange } from "./server.ts";
import { createConsentCoverage } from "./schemaRegistry/consentCoverage.ts";

const config = loadExchangeConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
const { logger, tracing } = startTelemetry("exchange", config.LOG_LEVEL, config.tracing);
// A supergraph that cannot be read stops the start before anything else happens.
const catalogue = loadFieldCatalogue(config.SUPERGRAPH_PATH);

await runService("exchange", logger, async () => {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "exchange" });
  await migrate(db, readMigrations(migrationsDir), "ndx:exchange");
  const seeded = await seedExchange(db, {
    seed: loadExchangeSeed(config.EXCHANGE_SEED_FILE),
    consumers: loadFarajaland(config.NDX_FIXTURES_FILE).consumers,
    catalogue,
  });
  logger.info({ ...seeded, storage: db.kind }, seeded.seeded ? "exchange seeded" : "exchange has data; not seeded");
  const exchange = await createExchange({
    db,
    logger,
    catalogue,
    registrar: createClientRegistrar({ issuer: config.OIDC_ISSUER, initialAccessToken: config.IDP_REGISTRATION_TOKEN }),
    secretKey: config.secretKey,
    serviceToken: config.EXCHANGE_SERVICE_TOKEN,
    development: config.development,
    listenUrl: config.DATABASE_URL,
    heartbeatMs: config.REGISTER_HEARTBEAT_MS,
    staleAfterMs: config.REGISTER_STALE_AFTER_MS,
    gatewayTrust: config.gatewayTrust,
    tracing,
    coverage: createConsentCoverage({ url: config.CONSENT_ENGINE_URL, serviceToken: config.CONSENT_SERVICE_TOKEN, logger }),
    usageDays: config.SCHEMA_USAGE_DAYS,
  });
  const http = await listen(exchange.yoga, config.PORT, config.HOST, shutdown);
  logger.info({ url: `${http.url}/graphql`, register: `${http.url}/v1/register`, revision: exchange.revisions.latest() }, "exchange subgraph listening");
  return {
    async close() {
      // Draining ends the register streams (their followers reconnect to another replica) and waits for the requests.
      await http.close();
      await exchange.close();
      await db.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
