import {
  environmentSetting,
  gatewayTrustConfigSpec,
  gatewayTrustSettingsFrom,
  loadConfig,
  resolveSecrets,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
} from "@ndx/platform";

export const drpAdapterConfigSpec = {
  /** development, test or production: outside development every secret must be set. @default "development" */
  NDX_ENV: environmentSetting(),
  /** Only the gateway may call this subgraph: GATEWAY_JWKS_URL and GATEWAY_ISSUER say how its caller assertions are checked. */
  ...gatewayTrustConfigSpec,
  /** @default 4002 */
  PORT: setting.port(4002),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** The DRP legacy REST service. @default "http://localhost:9091" */
  DRP_LEGACY_URL: setting.url("http://localhost:9091"),
  /** Sent as X-API-Key. Development default ("dev-drp-api-key") only when NDX_ENV=development. */
  DRP_LEGACY_API_KEY: setting.optionalString(),
  /** Timeout of one call. @default 2000 */
  DRP_LEGACY_TIMEOUT_MS: setting.int(2000, { min: 10, max: 60_000 }),
  /** Retries of a failed read (timeouts, 5xx, 429 with a short Retry-After). @default 2 */
  DRP_LEGACY_RETRIES: setting.int(2, { min: 0, max: 10 }),
  /** Consecutive failures that open the circuit breaker. @default 5 */
  DRP_LEGACY_BREAKER_FAILURES: setting.int(5, { min: 1, max: 1000 }),
  /** How long the breaker stays open before one trial call. @default 10000 */
  DRP_LEGACY_BREAKER_RESET_MS: setting.int(10_000, { min: 10, max: 600_000 }),
  /** Keep-alive connections to the DRP. @default 16 */
  DRP_LEGACY_CONNECTIONS: setting.int(16, { min: 1, max: 1024 }),
  /** NICs per batch lookup (the DRP's limit). @default 100 */
  DRP_LEGACY_BATCH_SIZE: setting.int(100, { min: 1, max: 10_000 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type DrpAdapterConfig = ReturnType<typeof loadDrpAdapterConfig>;

export function loadDrpAdapterConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(drpAdapterConfigSpec, env);
  return {
    ...parsed,
    gatewayTrust: gatewayTrustSettingsFrom(parsed),
    tracing: tracingOptionsFrom(parsed, "drp-rest"),
    ...resolveSecrets(
      parsed.NDX_ENV,
      { DRP_LEGACY_API_KEY: parsed.DRP_LEGACY_API_KEY },
      { DRP_LEGACY_API_KEY: "dev-drp-api-key" },
    ),
  };
}
