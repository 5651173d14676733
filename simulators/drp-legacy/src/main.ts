/** Starts the DRP legacy REST simulator seeded with the Farajaland citizens (canonical + generated). */
import { generateCitizens, loadFarajaland, loadHouseholds } from "@ndx/fixtures";
import { loadShutdownConfig, runService, startTelemetry } from "@ndx/platform";
import { loadDrpLegacyConfig } from "./config.ts";
import { startDrpLegacy } from "./drpLegacy.ts";
import { createDrpStore } from "./drpStore.ts";

const config = loadDrpLegacyConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("drp-legacy", config.LOG_LEVEL, config.tracing);

await runService("drp-legacy", logger, async () => {
  // The canonical citizens and those the demo households add (a minor child): all have DRP records.
  const canonical = [...loadFarajaland(config.NDX_FIXTURES_FILE).citizens, ...loadHouseholds().citizens];
  const store = createDrpStore([...canonical, ...generateCitizens({ count: config.SEED_GENERATED, reserved: canonical })]);
  const drp = await startDrpLegacy({
    store,
    apiKeys: config.DRP_LEGACY_API_KEYS.split(",").map((k) => k.trim()).filter((k) => k !== ""),
    port: config.PORT,
    host: config.HOST,
    rateLimit: { ratePerSecond: config.DRP_LEGACY_RATE_PER_SECOND, burst: config.DRP_LEGACY_RATE_BURST },
    maxBatch: config.DRP_LEGACY_MAX_BATCH,
    testControl: config.SIMULATOR_TEST_CONTROL,
    tracing,
    logger,
  });
  logger.info({ url: drp.url, openapi: `${drp.url}/openapi.json`, persons: store.size, testControl: config.SIMULATOR_TEST_CONTROL }, "DRP legacy REST service listening");
  return {
    async close() {
      await drp.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
