/** Starts the registry subgraph: configuration, storage (migrations, seed), HTTP. */
import { migrationsDir } from "./migrations.ts";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createLogger, listen, migrate, openDb, readMigrations, runService } from "@ndx/platform";
import { loadRegistryConfig } from "./config.ts";
import { seedRegistry } from "./seed.ts";
import { createRegistry } from "./server.ts";

const config = loadRegistryConfig(process.env);
const logger = createLogger("registry", config.LOG_LEVEL);

await runService("registry", logger, async () => {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "registry" });
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  const canonical = loadFarajaland(config.NDX_FIXTURES_FILE).citizens;
  const seeded = await seedRegistry(db, [
    ...canonical,
    ...generateCitizens({ count: config.SEED_GENERATED, reserved: canonical }),
  ]);
  logger.info({ ...seeded, storage: db.kind }, "registry seeded");
  const yoga = await createRegistry({ db, logger, gatewayToken: config.SUBGRAPH_TOKEN });
  const http = await listen(yoga, config.PORT, config.HOST);
  logger.info({ url: `${http.url}/graphql` }, "registry subgraph listening");
  return {
    async close() {
      await http.close();
      await db.close();
    },
  };
});
