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
import { parseKeyEncryptionKey } from "./keys/keyEncryptionKey.ts";

/** The registry's own metadata folder: one JSON file per register. */
export const defaultRegistersDir: string = resolve(import.meta.dirname, "../registers");

/** The development KEK (base64 of 32 bytes). Accepted only when NDX_ENV=development. */
export const developmentKek = "ZGV2LW9ubHkgTkRYIHJlZ2lzdHJ5IEtFSywgMzJieXQ=";

export const registryConfigSpec = {
  /** development, test or production: production refuses development secrets. @default "development" */
  NDX_ENV: environmentSetting(),
  /** Only the gateway may call this subgraph: GATEWAY_JWKS_URL and GATEWAY_ISSUER say how its caller assertions are checked. */
  ...gatewayTrustConfigSpec,
  /** @default 4001 */
  PORT: setting.port(4001),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** A postgres:// URL; unset means embedded PGlite under PGLITE_DIR. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/registry" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "registry")),
  /** @default "packages/fixtures/data/farajaland.json" */
  NDX_FIXTURES_FILE: setting.string(defaultFixturesFile),
  /** Generated citizens seeded beside the canonical ones. @default 10000 */
  SEED_GENERATED: setting.int(10_000, { min: 0, max: 1_000_000 }),
  /** The registers' metadata, one JSON file each. @default "subgraphs/registry/registers" */
  REGISTERS_DIR: setting.string(defaultRegistersDir),
  /**
   * The key-encryption key that wraps the data keys: 32 random bytes, base64. Never stored in the database.
   * Development default only in development.
   */
  REGISTRY_KEK: setting.optionalString(),
  /** Credential of the outbox feed (GET /events) for downstream services. Development default only in development. */
  REGISTRY_EVENTS_TOKEN: setting.optionalString(),
  /**
   * Credential of GET /v1/guardianship/{nic} for the consent engine (guardian consent). Development default only in
   * development; elsewhere the route exists only when this is set (at least 24 characters).
   */
  REGISTRY_GUARDIANSHIP_TOKEN: setting.optionalString(),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;

export function loadRegistryConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(registryConfigSpec, env);
  const secrets = resolveSecrets(
    parsed.NDX_ENV,
    { REGISTRY_KEK: parsed.REGISTRY_KEK, REGISTRY_EVENTS_TOKEN: parsed.REGISTRY_EVENTS_TOKEN },
    { REGISTRY_KEK: developmentKek, REGISTRY_EVENTS_TOKEN: "dev-registry-events-token" },
  );
  return {
    ...parsed,
    ...secrets,
    guardianshipToken: guardianshipToken(parsed.NDX_ENV, parsed.REGISTRY_GUARDIANSHIP_TOKEN),
    gatewayTrust: gatewayTrustSettingsFrom(parsed),
    kek: parseKeyEncryptionKey(secrets.REGISTRY_KEK, "REGISTRY_KEK"),
    tracing: tracingOptionsFrom(parsed, "registry"),
  };
}

const developmentGuardianshipToken = "dev-registry-guardianship-token";

/** The guardianship route's credential: the development one in development, else only a real secret when given. */
function guardianshipToken(environment: string, given: string | undefined): string | undefined {
  if (environment === "development") return given ?? developmentGuardianshipToken;
  if (given === undefined) return undefined;
  return resolveSecrets("production", { REGISTRY_GUARDIANSHIP_TOKEN: given }, { REGISTRY_GUARDIANSHIP_TOKEN: developmentGuardianshipToken }).REGISTRY_GUARDIANSHIP_TOKEN;
}

export const kekRotationConfigSpec = {
  NDX_ENV: environmentSetting(),
  /** A postgres:// URL; unset means embedded PGlite under PGLITE_DIR (stop the registry first: PGlite has one user). */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/registry" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "registry")),
  /** The KEK the data keys are wrapped under now. Development default only in development. */
  REGISTRY_KEK: setting.optionalString(),
  /** The KEK to wrap them under instead: 32 random bytes, base64. Required. */
  REGISTRY_NEW_KEK: setting.string(),
};

export function loadKekRotationConfig(env: Readonly<Record<string, string | undefined>>) {
  const parsed = loadConfig(kekRotationConfigSpec, env);
  const secrets = resolveSecrets(
    parsed.NDX_ENV,
    { REGISTRY_KEK: parsed.REGISTRY_KEK, REGISTRY_NEW_KEK: parsed.REGISTRY_NEW_KEK },
    // The new KEK has no development default: `developmentKek` here only makes a real value mandatory elsewhere.
    { REGISTRY_KEK: developmentKek, REGISTRY_NEW_KEK: developmentKek },
  );
  return {
    ...parsed,
    kek: parseKeyEncryptionKey(secrets.REGISTRY_KEK, "REGISTRY_KEK"),
    newKek: parseKeyEncryptionKey(secrets.REGISTRY_NEW_KEK, "REGISTRY_NEW_KEK"),
  };
}
