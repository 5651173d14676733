/**
 * The DMT adapter's own settings. The kit reads the rest (legacyAdapterConfig.ts): NDX_ENV, GATEWAY_JWKS_URL,
 * GATEWAY_ISSUER, PORT (4003), HOST, LOG_LEVEL, OTEL_*, and DMT_LEGACY_URL ("http://localhost:9092"; the endpoint is
 * <base>/dmt), DMT_LEGACY_TIMEOUT_MS, DMT_LEGACY_RETRIES, DMT_LEGACY_BREAKER_FAILURES, DMT_LEGACY_BREAKER_RESET_MS and
 * DMT_LEGACY_CONNECTIONS (8).
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
} as const;
