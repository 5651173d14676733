/** Starts the DMT legacy SOAP simulator seeded with the Farajaland citizens (canonical + generated). */
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { loadShutdownConfig, runService, startTelemetry } from "@ndx/platform";
import { loadDmtLegacyConfig } from "./config.ts";
import { startDmtLegacy } from "./dmtLegacy.ts";
import { createDmtStore } from "./dmtStore.ts";

const config = loadDmtLegacyConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("dmt-legacy", config.LOG_LEVEL, config.tracing);

await runService("dmt-legacy", logger, async () => {
  const canonical = loadFarajaland(config.NDX_FIXTURES_FILE).citizens;
  const store = createDmtStore([...canonical, ...generateCitizens({ count: config.SEED_GENERATED, reserved: canonical })]);
  const dmt = await startDmtLegacy({
    store,
    credentials: { username: config.DMT_LEGACY_USERNAME, password: config.DMT_LEGACY_PASSWORD },
    port: config.PORT,
    host: config.HOST,
    publicUrl: config.DMT_LEGACY_PUBLIC_URL ?? `http://localhost:${config.PORT}/dmt`,
    testControl: config.SIMULATOR_TEST_CONTROL,
    tracing,
    logger,
  });
  logger.info({ url: `${dmt.url}/dmt`, wsdl: `${dmt.url}/dmt?wsdl`, vehicles: store.size, testControl: config.SIMULATOR_TEST_CONTROL }, "DMT legacy SOAP service listening");
  return {
    async close() {
      await dmt.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
