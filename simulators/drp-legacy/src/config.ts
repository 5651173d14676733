import { defaultFixturesFile, loadConfig, setting, tracingConfigSpec, tracingOptionsFrom } from "@ndx/platform";

export const drpLegacyConfigSpec = {
  /** @default 9091 */
  PORT: setting.port(9091),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** Generated citizens seeded beside the canonical ones; the same as the registry's. @default 10000 */
  SEED_GENERATED: setting.int(10_000, { min: 0, max: 1_000_000 }),
  /** Accepted API keys, comma-separated. Development default only. @default "dev-drp-api-key" */
  DRP_LEGACY_API_KEYS: setting.string("dev-drp-api-key"),
  /** Requests per second allowed per API key (token bucket refill). @default 500 */
  DRP_LEGACY_RATE_PER_SECOND: setting.int(500, { min: 1, max: 1_000_000 }),
  /** Requests one API key may burst. @default 1000 */
  DRP_LEGACY_RATE_BURST: setting.int(1000, { min: 1, max: 1_000_000 }),
  /** Most NICs in one batch lookup. @default 100 */
  DRP_LEGACY_MAX_BATCH: setting.int(100, { min: 1, max: 10_000 }),
  /** Enables the test-only fault injection endpoints under /__test. Never on in production. @default false */
  SIMULATOR_TEST_CONTROL: setting.bool(false),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type DrpLegacyConfig = ReturnType<typeof loadDrpLegacyConfig>;

export function loadDrpLegacyConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(drpLegacyConfigSpec, env);
  return { ...parsed, tracing: tracingOptionsFrom(parsed, "drp-legacy") };
}
