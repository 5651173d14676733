import { resolve } from "node:path";
import { defaultDataDir, defaultFixturesFile, environmentSetting, loadConfig, resolveSecrets, setting } from "@ndx/platform";

export const registryConfigSpec = {
  /** development, test or production: production refuses development secrets. @default "development" */
  NDX_ENV: environmentSetting(),
  /** The credential the gateway presents; only the gateway may call this subgraph. Development default only in development. */
  SUBGRAPH_TOKEN: setting.optionalString(),
  /** @default 4001 */
  PORT: setting.port(4001),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** A postgres:// URL; unset means embedded PGlite under PGLITE_DIR. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/registry" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "registry")),
  /** @default "../shared/fixtures/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** Generated citizens seeded beside the canonical ones. @default 10000 */
  SEED_GENERATED: setting.int(10_000, { min: 0, max: 1_000_000 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
};

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;

export function loadRegistryConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(registryConfigSpec, env);
  return {
    ...parsed,
    ...resolveSecrets(parsed.NDX_ENV, { SUBGRAPH_TOKEN: parsed.SUBGRAPH_TOKEN }, { SUBGRAPH_TOKEN: "dev-subgraph-token" }),
  };
}
