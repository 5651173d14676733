/**
 * The DRP adapter's own settings. The kit reads the rest (legacyAdapterConfig.ts): NDX_ENV, GATEWAY_JWKS_URL,
 * GATEWAY_ISSUER, PORT (4002), HOST, LOG_LEVEL, OTEL_*, and DRP_LEGACY_URL ("http://localhost:9091"),
 * DRP_LEGACY_TIMEOUT_MS, DRP_LEGACY_RETRIES, DRP_LEGACY_BREAKER_FAILURES, DRP_LEGACY_BREAKER_RESET_MS and
 * DRP_LEGACY_CONNECTIONS (16), the cache's DRP_LEGACY_CACHE_TTL_MS, _CACHE_EMPTY_TTL_MS and _CACHE_MAX_ENTRIES (defaults
 * below) and the registry's change feed that purges it (REGISTRY_EVENTS_URL, REGISTRY_EVENTS_TOKEN).
 */
import { setting } from "@ndx/platform";

export const drpConfig = {
  prefix: "DRP_LEGACY",
  port: 4002,
  url: "http://localhost:9091",
  /** DRP_LEGACY_API_KEY, sent as X-API-Key: its development value only when NDX_ENV=development. */
  developmentSecrets: { DRP_LEGACY_API_KEY: "dev-drp-api-key" },
  spec: {
    /** NICs per batch lookup (the DRP's limit). @default 100 */
    DRP_LEGACY_BATCH_SIZE: setting.int(100, { min: 1, max: 10_000 }),
  },
  /**
   * A person's DRP record is kept 30 s (DRP_LEGACY_CACHE_TTL_MS), "not known to the DRP" 5 s
   * (DRP_LEGACY_CACHE_EMPTY_TTL_MS), at most 10000 (DRP_LEGACY_CACHE_MAX_ENTRIES), and dropped at once when the
   * registry changes the person.
   */
  cache: { ttlMs: 30_000, emptyTtlMs: 5_000, maxEntries: 10_000 },
} as const;
