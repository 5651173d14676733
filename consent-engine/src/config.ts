import { resolve } from "node:path";
import {
  ConfigError,
  parseGatewayPublicKey,
  parseGatewaySigningKey,
  type GatewaySigningKey,
  type PublicJwk,
  defaultDataDir,
  defaultFixturesFile,
  environmentSetting,
  loadConfig,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
  type TracingOptions,
} from "@ndx/platform";

export const consentEngineConfigSpec = {
  /** @default 8081 */
  PORT: setting.port(8081),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** development: dev defaults for secrets, cookies without Secure. Anything else: secrets required, Secure cookies. @default "development" */
  NDX_ENV: environmentSetting(),
  /** A postgres:// URL; unset means embedded PGlite under PGLITE_DIR. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/consent-engine" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "consent-engine")),
  /** Development without EXCHANGE_URL only: the applications' names and redirect URIs of the fixed register. @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** The exchange (subgraphs/exchange) whose register gives the applications, purposes and suspensions. Required outside development; unset in development: a fixed register from the exchange seed. */
  EXCHANGE_URL: setting.optionalUrl(),
  /** Bearer token of the exchange's register. Required outside development. @default "dev-exchange-service-token" (development only) */
  EXCHANGE_SERVICE_TOKEN: setting.optionalString(),
  /** The portal's public base URL: consent URLs and the OIDC redirect URI are built on it. @default "http://localhost:8081" */
  PORTAL_PUBLIC_URL: setting.url("http://localhost:8081"),
  /** The OpenID Provider citizens log in with (discovery at <issuer>/.well-known/openid-configuration). @default "http://localhost:9000" */
  OIDC_ISSUER: setting.url("http://localhost:9000"),
  /** @default "consent-portal" */
  OIDC_CLIENT_ID: setting.string("consent-portal"),
  /** Required outside development. @default "dev-consent-portal-secret" (development only) */
  OIDC_CLIENT_SECRET: setting.optionalString(),
  /** @default "openid profile" */
  OIDC_SCOPE: setting.string("openid profile"),
  /** The ID-token claim that holds the citizen's NIC. @default "sub" */
  OIDC_CITIZEN_CLAIM: setting.string("sub"),
  /** Bearer token the gateway (and other NDX services) present to the API. Required outside development. @default "dev-consent-service-token" (development only) */
  CONSENT_SERVICE_TOKEN: setting.optionalString(),
  /** The gateway, whose audit API the portal's "Who saw my data" page reads. @default "http://localhost:4000" */
  GATEWAY_URL: setting.url("http://localhost:4000"),
  /** Bearer token for the gateway's audit API (the gateway's AUDIT_READ_TOKEN). Required outside development. @default "dev-audit-read-token" (development only) */
  AUDIT_READ_TOKEN: setting.optionalString(),
  /** The key that signs consent artefacts: Ed25519 or P-256, PEM or JWK. Required outside development; in development one is made once and kept in CONSENT_KEYS_DIR. */
  CONSENT_SIGNING_KEY: setting.optionalString(),
  /** The key before a rotation (public or private, PEM or JWK): stays in the JWKS so artefacts signed with it still verify. */
  CONSENT_SIGNING_KEY_PREVIOUS: setting.optionalString(),
  /** Development: where the kept artefact key lives. @default PGLITE_DIR + "-keys" (beside the engine's own data, e.g. under npm start's NDX_DATA_DIR) */
  CONSENT_KEYS_DIR: setting.optionalString(),
  /** The audience of the consumers' access tokens the artefact endpoint accepts. @default GATEWAY_URL + "/graphql" (the token a consumer uses at the gateway) */
  CONSUMER_TOKEN_AUDIENCE: setting.optionalString(),
  /** Signed webhooks of answers: a JSON object of consumer application id → its webhook URL (https outside development). @default none */
  CONSENT_WEBHOOKS: setting.optionalString(),
  /** The registry whose households register says who guards whom (guardian consent, GET /v1/guardianship/{nic}). Unset: nobody answers for anyone else and no one is known to be a minor. */
  REGISTRY_URL: setting.optionalUrl(),
  /** Bearer token of the registry's guardianship route (its REGISTRY_GUARDIANSHIP_TOKEN). Required with REGISTRY_URL outside development. @default "dev-registry-guardianship-token" (development only) */
  REGISTRY_GUARDIANSHIP_TOKEN: setting.optionalString(),
  /** How long the engine waits for the registry's guardianship answer before refusing (fail closed). @default 2000 */
  GUARDIANSHIP_TIMEOUT_MS: setting.int(2000, { min: 100, max: 30_000 }),
  /** A person under this age on the day of a decision is a minor: only a guardian opens their data. @default 18 */
  AGE_OF_MAJORITY: setting.int(18, { min: 1, max: 30 }),
  /** A request not answered within this time expires. @default 3600 */
  CONSENT_REQUEST_TTL_SECONDS: setting.int(3600, { min: 30, max: 7 * 86_400 }),
  /** How often consents past their expiry are marked EXPIRED and announced (the check enforces expiry anyway). @default 30 */
  EXPIRY_SWEEP_SECONDS: setting.int(30, { min: 1, max: 3600 }),
  /** The revision stream's heartbeat; gateways use no cached answer after twice this without a confirmed acknowledgement, and a revocation waits at most that long for a gateway that has not acknowledged it. @default 2000 */
  REVISION_HEARTBEAT_MS: setting.int(2000, { min: 50, max: 60_000 }),
  /** Portal session lifetime. @default 3600 */
  SESSION_TTL_SECONDS: setting.int(3600, { min: 60, max: 86_400 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

const parse = (env: Readonly<Record<string, string | undefined>>) => loadConfig(consentEngineConfigSpec, env);
type Parsed = ReturnType<typeof parse>;

export interface ConsentEngineConfig
  extends Omit<Parsed, "CONSENT_KEYS_DIR" | "OIDC_CLIENT_SECRET" | "CONSENT_SERVICE_TOKEN" | "AUDIT_READ_TOKEN" | "EXCHANGE_SERVICE_TOKEN" | "CONSENT_SIGNING_KEY" | "CONSENT_SIGNING_KEY_PREVIOUS" | "CONSUMER_TOKEN_AUDIENCE" | "CONSENT_WEBHOOKS" | "REGISTRY_GUARDIANSHIP_TOKEN"> {
  /** The registry's guardianship credential; undefined without REGISTRY_URL. */
  readonly REGISTRY_GUARDIANSHIP_TOKEN: string | undefined;
  /** CONSENT_WEBHOOKS, parsed: consumer id → webhook URL. */
  readonly CONSENT_WEBHOOKS: Readonly<Record<string, string>>;
  readonly CONSENT_KEYS_DIR: string;
  /** CONSENT_SIGNING_KEY, parsed; undefined in development without it (the kept key of CONSENT_KEYS_DIR is used). */
  readonly CONSENT_SIGNING_KEY: GatewaySigningKey | undefined;
  readonly CONSENT_SIGNING_KEY_PREVIOUS: readonly PublicJwk[];
  readonly CONSUMER_TOKEN_AUDIENCE: string;
  readonly OIDC_CLIENT_SECRET: string;
  readonly EXCHANGE_SERVICE_TOKEN: string;
  readonly CONSENT_SERVICE_TOKEN: string;
  readonly AUDIT_READ_TOKEN: string;
  /** From the OTEL_* variables; undefined: tracing off (the default). */
  readonly tracing: TracingOptions | undefined;
}

/** Development-only values of the secrets; never accepted outside development. */
export const developmentSecrets = {
  OIDC_CLIENT_SECRET: "dev-consent-portal-secret",
  CONSENT_SERVICE_TOKEN: "dev-consent-service-token",
  AUDIT_READ_TOKEN: "dev-audit-read-token",
  EXCHANGE_SERVICE_TOKEN: "dev-exchange-service-token",
} as const;

/** The registry's development guardianship credential; never accepted outside development. */
const developmentGuardianshipToken = "dev-registry-guardianship-token";

export function loadConsentEngineConfig(env: Readonly<Record<string, string | undefined>>): ConsentEngineConfig {
  const parsed = parse(env);
  const development = parsed.NDX_ENV === "development";
  const problems: string[] = [];
  const secret = (name: keyof typeof developmentSecrets): string => {
    const value = parsed[name];
    if (development) return value ?? developmentSecrets[name];
    if (value === undefined) problems.push(`${name} is required when NDX_ENV=${parsed.NDX_ENV}`);
    else if (value === developmentSecrets[name] || value.length < 24) {
      problems.push(`${name} must be a real secret of at least 24 characters when NDX_ENV=${parsed.NDX_ENV}`);
    }
    return value ?? "";
  };
  const { CONSENT_SIGNING_KEY: keyText, CONSENT_SIGNING_KEY_PREVIOUS: previousText, CONSENT_WEBHOOKS: webhooksText, ...settings } = parsed;
  const webhooks = parseWebhooks(webhooksText, development, problems);
  let signingKey: GatewaySigningKey | undefined;
  if (keyText !== undefined) {
    try {
      signingKey = parseGatewaySigningKey(keyText);
    } catch (error) {
      problems.push(`CONSENT_SIGNING_KEY: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 private key, PEM or JWK)`);
    }
  } else if (!development) {
    problems.push(`CONSENT_SIGNING_KEY: must be set to the private key that signs consent artefacts (Ed25519 or P-256, PEM or JWK) when NDX_ENV=${parsed.NDX_ENV}`);
  }
  const previousKeys: PublicJwk[] = [];
  if (previousText !== undefined) {
    try {
      previousKeys.push(parseGatewayPublicKey(previousText));
    } catch (error) {
      problems.push(`CONSENT_SIGNING_KEY_PREVIOUS: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 key, PEM or JWK)`);
    }
  }
  const config = {
    ...settings,
    CONSENT_KEYS_DIR: resolve(parsed.CONSENT_KEYS_DIR ?? `${parsed.PGLITE_DIR}-keys`),
    CONSENT_SIGNING_KEY: signingKey,
    CONSENT_SIGNING_KEY_PREVIOUS: previousKeys,
    CONSENT_WEBHOOKS: webhooks,
    CONSUMER_TOKEN_AUDIENCE: parsed.CONSUMER_TOKEN_AUDIENCE ?? new URL("/graphql", parsed.GATEWAY_URL).toString(),
    OIDC_CLIENT_SECRET: secret("OIDC_CLIENT_SECRET"),
    CONSENT_SERVICE_TOKEN: secret("CONSENT_SERVICE_TOKEN"),
    AUDIT_READ_TOKEN: secret("AUDIT_READ_TOKEN"),
    EXCHANGE_SERVICE_TOKEN: secret("EXCHANGE_SERVICE_TOKEN"),
    REGISTRY_GUARDIANSHIP_TOKEN: parsed.REGISTRY_URL === undefined ? undefined : (parsed.REGISTRY_GUARDIANSHIP_TOKEN ?? (development ? developmentGuardianshipToken : undefined)),
    tracing: tracingOptionsFrom(parsed, "consent-engine"),
  };
  if (!development && !config.PORTAL_PUBLIC_URL.startsWith("https:")) {
    problems.push(`PORTAL_PUBLIC_URL must be https when NDX_ENV=${parsed.NDX_ENV}`);
  }
  if (!development && config.REGISTRY_URL !== undefined && (config.REGISTRY_GUARDIANSHIP_TOKEN === undefined || config.REGISTRY_GUARDIANSHIP_TOKEN === developmentGuardianshipToken || config.REGISTRY_GUARDIANSHIP_TOKEN.length < 24)) {
    problems.push(`REGISTRY_GUARDIANSHIP_TOKEN must be a real secret of at least 24 characters with REGISTRY_URL when NDX_ENV=${parsed.NDX_ENV}`);
  }
  if (!development && config.EXCHANGE_URL === undefined) {
    problems.push(`EXCHANGE_URL: must be set when NDX_ENV=${parsed.NDX_ENV}: the exchange's register of applications`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** CONSENT_WEBHOOKS: `{"<consumer id>": "<url>"}`; https only outside development. Problems name the entry, not its URL. */
function parseWebhooks(text: string | undefined, development: boolean, problems: string[]): Record<string, string> {
  if (text === undefined || text.trim() === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push("CONSENT_WEBHOOKS: is not JSON (expected an object of application id to webhook URL)");
    return {};
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    problems.push("CONSENT_WEBHOOKS: must be a JSON object of application id to webhook URL");
    return {};
  }
  const urls: Record<string, string> = {};
  for (const [id, value] of Object.entries(json)) {
    let url: URL | undefined;
    try {
      url = typeof value === "string" ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || !(url.protocol === "https:" || (development && url.protocol === "http:"))) {
      problems.push(`CONSENT_WEBHOOKS: the URL of ${id} must be ${development ? "an http(s)" : "an https"} URL`);
      continue;
    }
    urls[id] = url.toString();
  }
  return urls;
}
