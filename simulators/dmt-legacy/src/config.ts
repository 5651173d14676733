import { defaultFixturesFile, loadConfig, setting, tracingConfigSpec, tracingOptionsFrom } from "@ndx/platform";

export const dmtLegacyConfigSpec = {
  /** @default 9092 */
  PORT: setting.port(9092),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** The endpoint address written into the WSDL; unset means http://localhost:<PORT>/dmt. */
  DMT_LEGACY_PUBLIC_URL: setting.optionalUrl(),
  /** @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** Generated citizens seeded beside the canonical ones; the same as the registry's. @default 10000 */
  SEED_GENERATED: setting.int(10_000, { min: 0, max: 1_000_000 }),
  /** WS-Security UsernameToken user. Development default only. @default "ndx-adapter" */
  DMT_LEGACY_USERNAME: setting.string("ndx-adapter"),
  /** WS-Security UsernameToken password. Development default only. @default "dev-dmt-password" */
  DMT_LEGACY_PASSWORD: setting.string("dev-dmt-password"),
  /** Enables the test-only fault injection endpoints under /__test. Never on in production. @default false */
  SIMULATOR_TEST_CONTROL: setting.bool(false),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type DmtLegacyConfig = ReturnType<typeof loadDmtLegacyConfig>;

export function loadDmtLegacyConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(dmtLegacyConfigSpec, env);
  return { ...parsed, tracing: tracingOptionsFrom(parsed, "dmt-legacy") };
}
