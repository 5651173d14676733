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

export const dmtAdapterConfigSpec = {
  /** development, test or production: outside development every secret must be set. @default "development" */
  NDX_ENV: environmentSetting(),
  /** Only the gateway may call this subgraph: GATEWAY_JWKS_URL and GATEWAY_ISSUER say how its caller assertions are checked. */
  ...gatewayTrustConfigSpec,
  /** @default 4003 */
  PORT: setting.port(4003),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** Base URL of the DMT legacy SOAP service; the endpoint is <base>/dmt. @default "http://localhost:9092" */
  DMT_LEGACY_URL: setting.url("http://localhost:9092"),
  /** WS-Security UsernameToken user. Development default only. @default "ndx-adapter" */
  DMT_LEGACY_USERNAME: setting.string("ndx-adapter"),
  /** WS-Security UsernameToken password. Development default ("dev-dmt-password") only when NDX_ENV=development. */
  DMT_LEGACY_PASSWORD: setting.optionalString(),
  /** Timeout of one call. @default 2000 */
  DMT_LEGACY_TIMEOUT_MS: setting.int(2000, { min: 10, max: 60_000 }),
  /** Retries of a failed read (timeouts, Server faults, 5xx). @default 2 */
  DMT_LEGACY_RETRIES: setting.int(2, { min: 0, max: 10 }),
  /** Consecutive failures that open the circuit breaker. @default 5 */
  DMT_LEGACY_BREAKER_FAILURES: setting.int(5, { min: 1, max: 1000 }),
  /** How long the breaker stays open before one trial call. @default 10000 */
  DMT_LEGACY_BREAKER_RESET_MS: setting.int(10_000, { min: 10, max: 600_000 }),
  /** At most this many DMT calls in flight for one request (the DMT has no batch operation). @default 4 */
  DMT_LEGACY_CONCURRENCY: setting.int(4, { min: 1, max: 64 }),
  /** Keep-alive connections to the DMT. @default 8 */
  DMT_LEGACY_CONNECTIONS: setting.int(8, { min: 1, max: 1024 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type DmtAdapterConfig = ReturnType<typeof loadDmtAdapterConfig>;

export function loadDmtAdapterConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(dmtAdapterConfigSpec, env);
  return {
    ...parsed,
    gatewayTrust: gatewayTrustSettingsFrom(parsed),
    tracing: tracingOptionsFrom(parsed, "dmt-soap"),
    ...resolveSecrets(
      parsed.NDX_ENV,
      { DMT_LEGACY_PASSWORD: parsed.DMT_LEGACY_PASSWORD },
      { DMT_LEGACY_PASSWORD: "dev-dmt-password" },
    ),
  };
}
