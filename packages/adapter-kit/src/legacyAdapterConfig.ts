/**
 * An adapter's configuration from its environment, read once: what every adapter process reads (NDX_ENV, the
 * gateway's keys, PORT, HOST, LOG_LEVEL, OTEL_*), its upstream's resilience settings under the agency's prefix
 * (`<PREFIX>_URL`, `_TIMEOUT_MS`, `_RETRIES`, `_BREAKER_FAILURES`, `_BREAKER_RESET_MS`, `_CONNECTIONS`), its cache of
 * legacy answers (`<PREFIX>_CACHE_TTL_MS`, `_CACHE_EMPTY_TTL_MS`, `_CACHE_MAX_ENTRIES`, defaults from the agency's
 * config module) and the registry's change feed that purges it (REGISTRY_EVENTS_URL, REGISTRY_EVENTS_TOKEN,
 * REGISTRY_EVENTS_POLL_MS), its secrets (development values only when NDX_ENV=development) and the agency's own
 * settings. Every problem is reported at once, in one ConfigError.
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
    /**
     * The registry's change feed, followed to purge the legacy cache of a person when the persons register changes them.
     * @default "http://localhost:4001/events" in development; unset elsewhere (the cache then ends answers by its TTL alone)
     */
    REGISTRY_EVENTS_URL: setting.optionalUrl(),
    /** The feed's bearer token (the registry's REGISTRY_EVENTS_TOKEN). @default "dev-registry-events-token" in development; required with REGISTRY_EVENTS_URL elsewhere */
    REGISTRY_EVENTS_TOKEN: setting.optionalString(),
    /** Wait between reads of the feed; the cache is not used once three have been missed. @default 1000 */
    REGISTRY_EVENTS_POLL_MS: setting.int(1000, { min: 50, max: 60_000 }),
  };
}

/** Where the legacy cache's purges come from (legacyAdapter.ts follows it). */
export interface RegistryEventsConfig {
  readonly url: string;
  readonly token: string;
  readonly pollMs: number;
}

export const developmentRegistryEventsUrl = "http://localhost:4001/events";
const developmentRegistryEventsToken = "dev-registry-events-token";

function registryEventsFrom(base: ServiceSettings): RegistryEventsConfig | undefined {
  const development = base.NDX_ENV === "development";
  const url = base.REGISTRY_EVENTS_URL ?? (development ? developmentRegistryEventsUrl : undefined);
  if (url === undefined) return undefined;
  const token = base.REGISTRY_EVENTS_TOKEN ?? (development ? developmentRegistryEventsToken : undefined);
  if (token === undefined) throw new ConfigError([`REGISTRY_EVENTS_TOKEN: must be set with REGISTRY_EVENTS_URL when NDX_ENV=${base.NDX_ENV}`]);
  return { url, token, pollMs: base.REGISTRY_EVENTS_POLL_MS };
}

/** How long an agency's answers are kept (its config module's defaults; `<PREFIX>_CACHE_*` override them). */
export interface LegacyCacheDefaults {
  /** 0: the agency's answers are never kept (a provider that says "don't cache"). */
  readonly ttlMs: number;
  /** Empty answers (nobody known, nothing found); 0: not kept. */
  readonly emptyTtlMs: number;
  readonly maxEntries: number;
}

/** The cache as configured. */
export type LegacyCacheConfig = LegacyCacheDefaults;

type SettingsOf<S> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };
type ServiceSettings = SettingsOf<ReturnType<typeof adapterServiceConfigSpec>>;
type NumericSuffix =
  | "TIMEOUT_MS"
  | "RETRIES"
  | "BREAKER_FAILURES"
  | "BREAKER_RESET_MS"
  | "CONNECTIONS"
  | "CACHE_TTL_MS"
  | "CACHE_EMPTY_TTL_MS"
  | "CACHE_MAX_ENTRIES";

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
  /** How long its answers are kept unless `<PREFIX>_CACHE_*` say otherwise. @default never kept */
  readonly cache?: LegacyCacheDefaults;
}

export type LegacyAdapterConfig<P extends string, Spec, S extends string> = ServiceSettings &
  LegacyUpstreamSettings<P> &
  Spec &
  Readonly<Record<S, string>> & {
    readonly upstream: LegacyUpstreamConfig;
    readonly cache: LegacyCacheConfig;
    /** undefined: no feed, the cache ends answers by its TTL alone. */
    readonly registryEvents: RegistryEventsConfig | undefined;
    readonly gatewayTrust: { readonly jwks: string; readonly issuer: string };
    readonly tracing: TracingOptions | undefined;
  };

const noCache: LegacyCacheDefaults = { ttlMs: 0, emptyTtlMs: 0, maxEntries: 10_000 };

const upstreamSpec = (prefix: string, url: string, connections: number, cache: LegacyCacheDefaults): Readonly<Record<string, Setting<string | number>>> => ({
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
  /** How long an answer is kept and served again, ms; 0: never (every call reaches the upstream). @default the agency's */
  [`${prefix}_CACHE_TTL_MS`]: setting.int(cache.ttlMs, { min: 0, max: 86_400_000 }),
  /** The same for an empty answer (nobody known, nothing found), cut to the TTL if longer; 0: not kept. @default the agency's */
  [`${prefix}_CACHE_EMPTY_TTL_MS`]: setting.int(cache.emptyTtlMs, { min: 0, max: 86_400_000 }),
  /** Most answers kept; the least recently used go first. @default the agency's (10000) */
  [`${prefix}_CACHE_MAX_ENTRIES`]: setting.int(cache.maxEntries, { min: 1, max: 10_000_000 }),
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
  const legacy = attempt(() => loadConfig(upstreamSpec(prefix, definition.url, connections, definition.cache ?? noCache), env));
  const own = attempt(() => loadConfig(definition.spec ?? ({} as ConfigSpec<Spec>), env));
  const developmentSecrets: Readonly<Record<string, string>> = definition.developmentSecrets ?? {};
  const given = attempt(() => loadConfig(Object.fromEntries(Object.keys(developmentSecrets).map((name) => [name, setting.optionalString()])), env));
  const gatewayTrust = base && attempt(() => gatewayTrustSettingsFrom(base.value));
  const tracing = base && attempt(() => tracingOptionsFrom(base.value, service));
  const secrets = base && given && attempt(() => resolveSecrets(base.value.NDX_ENV, given.value, developmentSecrets));
  const registryEvents = base && attempt(() => registryEventsFrom(base.value));
  if (
    base === undefined ||
    legacy === undefined ||
    own === undefined ||
    gatewayTrust === undefined ||
    tracing === undefined ||
    secrets === undefined ||
    registryEvents === undefined
  ) {
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
  const ttlMs = number("CACHE_TTL_MS");
  // An empty answer is never kept longer than any other: <PREFIX>_CACHE_TTL_MS=0 alone turns the cache off.
  const cache: LegacyCacheConfig = { ttlMs, emptyTtlMs: Math.min(number("CACHE_EMPTY_TTL_MS"), ttlMs), maxEntries: number("CACHE_MAX_ENTRIES") };
  // The upstream's settings were read under names built from the prefix: the type names them so.
  const named = legacy.value as LegacyUpstreamSettings<P>;
  const agency = secrets.value as Readonly<Record<S, string>>;
  return {
    ...base.value,
    ...named,
    ...own.value,
    ...agency,
    upstream,
    cache,
    registryEvents: registryEvents.value,
    gatewayTrust: gatewayTrust.value,
    tracing: tracing.value,
  };
}
