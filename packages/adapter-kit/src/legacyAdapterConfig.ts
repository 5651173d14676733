/**
 * An adapter's configuration from its environment, read once: what every adapter process reads (NDX_ENV, the
 * gateway's keys, PORT, HOST, LOG_LEVEL, OTEL_*), its upstream's resilience settings under the agency's prefix
 * (`<PREFIX>_URL`, `_TIMEOUT_MS`, `_RETRIES`, `_BREAKER_FAILURES`, `_BREAKER_RESET_MS`, `_CONNECTIONS`), its secrets
 * (development values only when NDX_ENV=development) and the agency's own settings. Every problem is reported at
 * once, in one ConfigError.
 */
import {
  ConfigError,
  environmentSetting,
  gatewayTrustConfigSpec,
  gatewayTrustSettingsFrom,
  loadConfig,
  resolveSecrets,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
  type ConfigSpec,
  type Setting,
  type TracingOptions,
} from "@ndx/platform";

/** What every adapter process reads, whatever its agency. */
export function adapterServiceConfigSpec(port: number) {
  return {
    /** development, test or production: outside development every secret must be set. @default "development" */
    NDX_ENV: environmentSetting(),
    /** Only the gateway may call this subgraph: GATEWAY_JWKS_URL and GATEWAY_ISSUER say how its caller assertions are checked. */
    ...gatewayTrustConfigSpec,
    /** @default the agency's port (drp 4002, dmt 4003) */
    PORT: setting.port(port),
    /** @default "127.0.0.1" */
    HOST: setting.string("127.0.0.1"),
    /** @default "info" */
    LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
    /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
    ...tracingConfigSpec,
  };
}

type SettingsOf<S> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };
type ServiceSettings = SettingsOf<ReturnType<typeof adapterServiceConfigSpec>>;
type NumericSuffix = "TIMEOUT_MS" | "RETRIES" | "BREAKER_FAILURES" | "BREAKER_RESET_MS" | "CONNECTIONS";

/** The upstream's settings under their names, e.g. DRP_LEGACY_URL and DRP_LEGACY_TIMEOUT_MS for the prefix DRP_LEGACY. */
export type LegacyUpstreamSettings<P extends string> = { readonly [K in `${P}_URL`]: string } & { readonly [K in `${P}_${NumericSuffix}`]: number };

/** The same settings by what they mean. */
export interface LegacyUpstreamConfig {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly breakerFailures: number;
  readonly breakerResetMs: number;
  readonly connections: number;
}

export interface LegacyConfigDefinition<P extends string, Spec, S extends string> {
  /** The prefix of the upstream's settings, e.g. "DRP_LEGACY". */
  readonly prefix: P;
  /** The subgraph's port. */
  readonly port: number;
  /** The upstream's URL in development (its simulator). */
  readonly url: string;
  /** Each secret and its development value (e.g. DRP_LEGACY_API_KEY: "dev-drp-api-key"); elsewhere a real one is required. @default {} */
  readonly developmentSecrets?: Readonly<Record<S, string>>;
  /** The agency's own settings (batch size, concurrency, a user name), as a platform ConfigSpec. @default {} */
  readonly spec?: ConfigSpec<Spec>;
}

export type LegacyAdapterConfig<P extends string, Spec, S extends string> = ServiceSettings &
  LegacyUpstreamSettings<P> &
  Spec &
  Readonly<Record<S, string>> & {
    readonly upstream: LegacyUpstreamConfig;
    readonly gatewayTrust: { readonly jwks: string; readonly issuer: string };
    readonly tracing: TracingOptions | undefined;
  };

const upstreamSpec = (prefix: string, url: string, connections: number): Readonly<Record<string, Setting<string | number>>> => ({
  /** The agency's legacy service. */
  [`${prefix}_URL`]: setting.url(url),
  /** Timeout of one call. @default 2000 */
  [`${prefix}_TIMEOUT_MS`]: setting.int(2000, { min: 10, max: 60_000 }),
  /** Retries of a failed read (timeouts, 5xx, 429 with a short Retry-After, SOAP Server faults). @default 2 */
  [`${prefix}_RETRIES`]: setting.int(2, { min: 0, max: 10 }),
  /** Consecutive failures that open the circuit breaker. @default 5 */
  [`${prefix}_BREAKER_FAILURES`]: setting.int(5, { min: 1, max: 1000 }),
  /** How long the breaker stays open before one trial call. @default 10000 */
  [`${prefix}_BREAKER_RESET_MS`]: setting.int(10_000, { min: 10, max: 600_000 }),
  /** Keep-alive connections to the upstream. @default the definition's `connections` */
  [`${prefix}_CONNECTIONS`]: setting.int(connections, { min: 1, max: 1024 }),
});

/** Reads `env` once; throws one ConfigError naming every bad variable. */
export function loadLegacyAdapterConfig<P extends string, Spec, S extends string>(
  definition: LegacyConfigDefinition<P, Spec, S>,
  service: string,
  connections: number,
  env: Readonly<Record<string, string | undefined>>,
): LegacyAdapterConfig<P, Spec, S> {
  const problems: string[] = [];
  function attempt<T>(load: () => T): { readonly value: T } | undefined {
    try {
      return { value: load() };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  }
  const { prefix } = definition;
  const base = attempt(() => loadConfig(adapterServiceConfigSpec(definition.port), env));
  const legacy = attempt(() => loadConfig(upstreamSpec(prefix, definition.url, connections), env));
  const own = attempt(() => loadConfig(definition.spec ?? ({} as ConfigSpec<Spec>), env));
  const developmentSecrets: Readonly<Record<string, string>> = definition.developmentSecrets ?? {};
  const given = attempt(() => loadConfig(Object.fromEntries(Object.keys(developmentSecrets).map((name) => [name, setting.optionalString()])), env));
  const gatewayTrust = base && attempt(() => gatewayTrustSettingsFrom(base.value));
  const tracing = base && attempt(() => tracingOptionsFrom(base.value, service));
  const secrets = base && given && attempt(() => resolveSecrets(base.value.NDX_ENV, given.value, developmentSecrets));
  if (base === undefined || legacy === undefined || own === undefined || gatewayTrust === undefined || tracing === undefined || secrets === undefined) {
    throw new ConfigError(problems);
  }
  const number = (suffix: NumericSuffix): number => Number(legacy.value[`${prefix}_${suffix}`]);
  const upstream: LegacyUpstreamConfig = {
    url: String(legacy.value[`${prefix}_URL`]),
    timeoutMs: number("TIMEOUT_MS"),
    retries: number("RETRIES"),
    breakerFailures: number("BREAKER_FAILURES"),
    breakerResetMs: number("BREAKER_RESET_MS"),
    connections: number("CONNECTIONS"),
  };
  // The upstream's settings were read under names built from the prefix: the type names them so.
  const named = legacy.value as LegacyUpstreamSettings<P>;
  const agency = secrets.value as Readonly<Record<S, string>>;
  return { ...base.value, ...named, ...own.value, ...agency, upstream, gatewayTrust: gatewayTrust.value, tracing: tracing.value };
}
