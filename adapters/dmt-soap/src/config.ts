/**
 * The DMT adapter's own settings. The kit reads the rest (legacyAdapterConfig.ts): NDX_ENV, GATEWAY_JWKS_URL,
 * GATEWAY_ISSUER, PORT (4003), HOST, LOG_LEVEL, OTEL_*, and DMT_LEGACY_URL ("http://localhost:9092"; the endpoint is
 * <base>/dmt), DMT_LEGACY_TIMEOUT_MS, DMT_LEGACY_RETRIES, DMT_LEGACY_BREAKER_FAILURES, DMT_LEGACY_BREAKER_RESET_MS and
 * DMT_LEGACY_CONNECTIONS (8), the cache's DMT_LEGACY_CACHE_TTL_MS, _CACHE_EMPTY_TTL_MS and _CACHE_MAX_ENTRIES (defaults
 * below) and the registry's change feed that purges it (REGISTRY_EVENTS_URL, REGISTRY_EVENTS_TOKEN).
 */
import { setting } from "@ndx/platform";

export const dmtConfig = {
  prefix: "DMT_LEGACY",
  port: 4003,
  url: "http://localhost:9092",
  /** DMT_LEGACY_PASSWORD, the WS-Security UsernameToken password: its development value only when NDX_ENV=development. */
  developmentSecrets: { DMT_LEGACY_PASSWORD: "dev-dmt-password" },
  spec: {
    /** WS-Security UsernameToken user. Development default only. @default "ndx-adapter" */
    DMT_LEGACY_USERNAME: setting.string("ndx-adapter"),
    /** At most this many DMT calls in flight for one request (the DMT has no batch operation). @default 4 */
    DMT_LEGACY_CONCURRENCY: setting.int(4, { min: 1, max: 64 }),
  },
  /**
   * Vehicles change owner rarely and the DMT asks nothing about repeated reads: an answer is kept 30 s
   * (DMT_LEGACY_CACHE_TTL_MS), "no vehicles" 5 s (DMT_LEGACY_CACHE_EMPTY_TTL_MS), at most 10000
   * (DMT_LEGACY_CACHE_MAX_ENTRIES); a person's are dropped at once when the registry changes them.
   */
  cache: { ttlMs: 30_000, emptyTtlMs: 5_000, maxEntries: 10_000 },
} as const;
