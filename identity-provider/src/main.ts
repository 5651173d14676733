/** Starts the development identity provider: configuration, keys, accounts from the fixtures, HTTP. */
import { join } from "node:path";
import { loadExchangeSeed, loadFarajaland, loadHouseholds } from "@ndx/fixtures";
import { loadShutdownConfig, runService, startTelemetry } from "@ndx/platform";
import { createAccountDirectory, developmentUsers } from "./accounts.ts";
import { clientStoreAdapter, openClientStore } from "./clientStore.ts";
import { loadIdentityProviderConfig } from "./config.ts";
import { loadOrCreateKeys } from "./keys.ts";
import { consoleClientId } from "./provider.ts";
import { startIdentityProvider } from "./server.ts";

const config = loadIdentityProviderConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("identity-provider", config.LOG_LEVEL, config.tracing);

await runService("identity-provider", logger, async () => {
  if (config.NDX_ENV === "production") {
    throw new Error("the development identity provider must not run in production; configure a real OIDC issuer");
  }
  const data = loadFarajaland(config.NDX_FIXTURES_FILE);
  const keys = await loadOrCreateKeys(config.IDP_DATA_DIR);
  // Development (and test) only, as this whole provider: the exchange's staff sign in beside the fixtures' users.
  const accounts = createAccountDirectory({ citizens: [...data.citizens, ...loadHouseholds().citizens], users: developmentUsers(data.users, loadExchangeSeed().users) });
  const db = await openClientStore({ url: config.DATABASE_URL, dataDir: join(config.IDP_DATA_DIR, "pglite") });
  const running = await startIdentityProvider({
    accounts,
    consumers: data.consumers,
    portal: { url: config.PORTAL_URL, clientId: config.PORTAL_CLIENT_ID, clientSecret: config.PORTAL_CLIENT_SECRET },
    console: { url: config.CONSOLE_URL, clientId: consoleClientId, clientSecret: config.CONSOLE_OIDC_CLIENT_SECRET },
    keys,
    audience: config.GATEWAY_AUDIENCE,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    registration: { initialAccessToken: config.IDP_REGISTRATION_TOKEN },
    adapter: clientStoreAdapter(db),
    readinessChecks: {
      database: async () => {
        await db.query("SELECT 1");
      },
    },
    logger,
    port: config.PORT,
    host: config.HOST,
    issuer: config.IDP_ISSUER,
    tracing,
  });
  logger.info(
    {
      issuer: running.issuer,
      audience: config.GATEWAY_AUDIENCE,
      accounts: accounts.size,
      clients: data.consumers.length + 2,
      keys: keys.created ? "generated" : "reused",
    },
    "identity provider listening",
  );
  return {
    ...running,
    async close() {
      await running.close();
      await db.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
