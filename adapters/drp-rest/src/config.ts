/**
 * The DRP adapter's own settings. The kit reads the rest (legacyAdapterConfig.ts): NDX_ENV, GATEWAY_JWKS_URL,
 * GATEWAY_ISSUER, PORT (4002), HOST, LOG_LEVEL, OTEL_*, and DRP_LEGACY_URL ("http://localhost:9091"),
 * DRP_LEGACY_TIMEOUT_MS, DRP_LEGACY_RETRIES, DRP_LEGACY_BREAKER_FAILURES, DRP_LEGACY_BREAKER_RESET_MS and
 * DRP_LEGACY_CONNECTIONS (16).
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
} as const;
