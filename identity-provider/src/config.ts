import { resolve } from "node:path";
import {
  ConfigError,
  defaultDataDir,
  defaultFixturesFile,
  environmentSetting,
  loadConfig,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
} from "@ndx/platform";

export const identityProviderConfigSpec = {
  /** @default 9000 */
  PORT: setting.port(9000),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** Where NDX runs: this provider is for development only and refuses to start in production. @default "development" */
  NDX_ENV: environmentSetting(),
  /** The issuer identifier, exactly as tokens carry it in `iss`. Unset means http://localhost:<PORT>. */
  IDP_ISSUER: setting.optionalUrl(),
  /** Signing keys (JWKS) and cookie keys, generated once and reused on restart; PGlite (registered clients) in its pglite/. @default ".data/identity-provider" */
  IDP_DATA_DIR: setting.string(resolve(defaultDataDir, "identity-provider")),
  /** A postgres:// URL for registered clients (schema `idp`); unset means PGlite under IDP_DATA_DIR/pglite. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** The gateway's resource indicator: the `aud` of every access token. @default "http://localhost:4000/graphql" */
  GATEWAY_AUDIENCE: setting.url("http://localhost:4000/graphql"),
  /** Lifetime of access tokens (client credentials and user). @default 900 */
  ACCESS_TOKEN_TTL_SECONDS: setting.int(900, { min: 30, max: 86_400 }),
  /** Base URL of the consent portal, whose /auth/callback is the portal client's redirect URI. @default "http://localhost:8081" */
  PORTAL_URL: setting.url("http://localhost:8081"),
  /** @default "consent-portal" */
  PORTAL_CLIENT_ID: setting.string("consent-portal"),
  /** @default "dev-consent-portal-secret" */
  PORTAL_CLIENT_SECRET: setting.string("dev-consent-portal-secret"),
  /** Base URL of the exchange console, whose /auth/callback is the `ndx-console` client's redirect URI. @default "http://localhost:8082" */
  CONSOLE_URL: setting.url("http://localhost:8082"),
  /** The `ndx-console` client's secret (client_secret_basic). @default "dev-console-secret" */
  CONSOLE_OIDC_CLIENT_SECRET: setting.string("dev-console-secret"),
  /**
   * The initial access token of Dynamic Client Registration (RFC 7591): the bearer token a registration must present.
   * Required outside development. @default "dev-idp-registration-token" (development only)
   */
  IDP_REGISTRATION_TOKEN: setting.optionalString(),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type IdentityProviderConfig = ReturnType<typeof loadIdentityProviderConfig>;

/** Development-only value of the initial access token; never accepted outside development. */
export const developmentRegistrationToken = "dev-idp-registration-token";

export function loadIdentityProviderConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(identityProviderConfigSpec, env);
  const token = parsed.IDP_REGISTRATION_TOKEN;
  if (parsed.NDX_ENV !== "development") {
    if (token === undefined) throw new ConfigError([`IDP_REGISTRATION_TOKEN is required when NDX_ENV=${parsed.NDX_ENV}`]);
    if (token === developmentRegistrationToken || token.length < 24) {
      throw new ConfigError([`IDP_REGISTRATION_TOKEN must be a real secret of at least 24 characters when NDX_ENV=${parsed.NDX_ENV}`]);
    }
  }
  return {
    ...parsed,
    IDP_REGISTRATION_TOKEN: token ?? developmentRegistrationToken,
    tracing: tracingOptionsFrom(parsed, "identity-provider"),
  };
}
