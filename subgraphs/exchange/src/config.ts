import { resolve } from "node:path";
import {
  defaultDataDir,
  defaultFixturesFile,
  environmentSetting,
  gatewayTrustConfigSpec,
  gatewayTrustSettingsFrom,
  loadConfig,
  resolveSecrets,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
} from "@ndx/platform";
import { exchangeSeedFile } from "@ndx/fixtures";
import { supergraphFile } from "@ndx/schema";
import { parseSecretKey } from "./storage/secretBox.ts";

/** The development key that seals registration tokens (base64 of 32 bytes). Accepted only when NDX_ENV=development. */
export const developmentSecretKey = "ZGV2LW9ubHkgTkRYIGV4Y2hhbmdlIHNlY3JldCBrZXk=";
export const developmentServiceToken = "dev-exchange-service-token";
export const developmentRegistrationToken = "dev-idp-registration-token";
export const developmentConsentServiceToken = "dev-consent-service-token";

export const exchangeConfigSpec = {
  /** development, test or production: production refuses development secrets. @default "development" */
  NDX_ENV: environmentSetting(),
  /** Only the gateway may call /graphql: GATEWAY_JWKS_URL and GATEWAY_ISSUER say how its caller assertions are checked. */
  ...gatewayTrustConfigSpec,
  /** @default 4004 */
  PORT: setting.port(4004),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** A postgres:// URL; unset means embedded PGlite under PGLITE_DIR. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/exchange" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "exchange")),
  /** Followers' credential for GET /v1/register and /v1/register/stream. Development default only in development. */
  EXCHANGE_SERVICE_TOKEN: setting.optionalString(),
  /** Seals registration access tokens at rest: 32 random bytes, base64. Development default only in development. */
  EXCHANGE_SECRET_KEY: setting.optionalString(),
  /** The identity provider whose registration endpoint makes the applications' OAuth clients. @default "http://localhost:9000" */
  OIDC_ISSUER: setting.url("http://localhost:9000"),
  /** The initial access token of Dynamic Client Registration at the identity provider. Development default only in development. */
  IDP_REGISTRATION_TOKEN: setting.optionalString(),
  /** The composed supergraph: the field catalogue grants name. @default "schema/supergraph.graphql" */
  SUPERGRAPH_PATH: setting.string(supergraphFile),
  /** The seed of a fresh development database. @default "packages/fixtures/data/exchange.json" */
  EXCHANGE_SEED_FILE: setting.string(exchangeSeedFile),
  /** The consumers whose names, secrets and redirect URIs the seed takes. @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** The consent engine: the schema registry's checks count the ACTIVE consents covering a changed field. @default "http://localhost:8081" */
  CONSENT_ENGINE_URL: setting.url("http://localhost:8081"),
  /** The consent engine's service token. Development default only in development. */
  CONSENT_SERVICE_TOKEN: setting.optionalString(),
  /** How many days of operations the schema registry's checks count as use. @default 30 */
  SCHEMA_USAGE_DAYS: setting.int(30, { min: 1, max: 366 }),
  /** How often the register stream sends a heartbeat. @default 250 */
  REGISTER_HEARTBEAT_MS: setting.int(250, { min: 10, max: 60_000 }),
  /** Announced to followers: what they hold is stale once nothing was heard for this long. @default 1000 */
  REGISTER_STALE_AFTER_MS: setting.int(1000, { min: 20, max: 600_000 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type ExchangeConfig = ReturnType<typeof loadExchangeConfig>;

export function loadExchangeConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(exchangeConfigSpec, env);
  const secrets = resolveSecrets(
    parsed.NDX_ENV,
    {
      EXCHANGE_SERVICE_TOKEN: parsed.EXCHANGE_SERVICE_TOKEN,
      EXCHANGE_SECRET_KEY: parsed.EXCHANGE_SECRET_KEY,
      IDP_REGISTRATION_TOKEN: parsed.IDP_REGISTRATION_TOKEN,
      CONSENT_SERVICE_TOKEN: parsed.CONSENT_SERVICE_TOKEN,
    },
    {
      EXCHANGE_SERVICE_TOKEN: developmentServiceToken,
      EXCHANGE_SECRET_KEY: developmentSecretKey,
      IDP_REGISTRATION_TOKEN: developmentRegistrationToken,
      CONSENT_SERVICE_TOKEN: developmentConsentServiceToken,
    },
  );
  return {
    ...parsed,
    ...secrets,
    development: parsed.NDX_ENV === "development",
    secretKey: parseSecretKey(secrets.EXCHANGE_SECRET_KEY),
    gatewayTrust: gatewayTrustSettingsFrom(parsed),
    tracing: tracingOptionsFrom(parsed, "exchange"),
  };
}
