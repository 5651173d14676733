/** Starts the registry subgraph: configuration, storage (migrations, seed), HTTP. */
import { migrationsDir } from "./migrations.ts";
import { generateCitizens, loadFarajaland, loadHouseholds } from "@ndx/fixtures";
import { listen, loadShutdownConfig, migrate, openDb, readMigrations, runService, startTelemetry } from "@ndx/platform";
import { loadRegistryConfig } from "./config.ts";
import { envKeyEncryptionKey } from "./keys/keyEncryptionKey.ts";
import { loadRegisters } from "./registers/registerMetadata.ts";
import { seedRegistry } from "./persons/seed.ts";
import { createRegistry } from "./server.ts";

const config = loadRegistryConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("registry", config.LOG_LEVEL, config.tracing);
// Bad register metadata stops the start with every problem named, before anything else happens.
const registers = loadRegisters(config.REGISTERS_DIR);

await runService("registry", logger, async () => {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "registry" });
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  const households = loadHouseholds();
  const canonical = [...loadFarajaland(config.NDX_FIXTURES_FILE).citizens, ...households.citizens];
  const seeded = await seedRegistry(db, [
    ...canonical,
    ...generateCitizens({ count: config.SEED_GENERATED, reserved: canonical }),
  ]);
  logger.info({ ...seeded, storage: db.kind }, "registry seeded");
  const yoga = await createRegistry({
    db,
    logger,
    registers,
    keyEncryptionKey: envKeyEncryptionKey(config.kek),
    gatewayTrust: config.gatewayTrust,
    eventsToken: config.REGISTRY_EVENTS_TOKEN,
    guardianshipToken: config.guardianshipToken,
    seedRecords: [{ register: "households", records: households.households }],
    tracing,
  });
  const http = await listen(yoga, config.PORT, config.HOST, shutdown);
  logger.info(
    { url: `${http.url}/graphql`, events: `${http.url}/events`, registers: registers.registers.map((r) => r.name) },
    "registry subgraph listening",
  );
  return {
    async close() {
      await http.close();
      await db.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
