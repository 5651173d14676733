import { resolve } from "node:path";
import {
  ConfigError,
  defaultDataDir,
  environmentSetting,
  gatewaySigningConfigSpec,
  gatewaySigningFrom,
  loadConfig,
  resolveSecrets,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
  type GatewaySigning,
  type Setting,
  type TracingOptions,
} from "@ndx/platform";
import { distDir } from "@ndx/policy";
import { listSubgraphs, supergraphFile } from "@ndx/schema";
import { corsOriginsSetting, developmentCorsOrigins } from "./cors.ts";
import { evidenceConfigSpec, evidenceSettingsFrom, type EvidenceSettings } from "./evidence/evidenceConfig.ts";

/** A request rate: a decimal number of requests per second, 0 for no limit. */
function rateSetting(fallback: number): Setting<number> {
  return {
    describe: "requests per second, a number from 0 (no limit) to 1000000",
    parse: (raw) => {
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || n > 1_000_000) throw new Error("is not a rate");
      return n;
    },
  };
}

function optionalIntSetting(range: { min: number; max: number }): Setting<number | undefined> {
  const int = setting.int(undefined, range);
  return { describe: `${int.describe}, or unset`, parse: (raw) => (raw === undefined ? undefined : int.parse(raw)) };
}

/** `id,id,...` (spaces allowed), or unset for none. */
function listSetting(): Setting<readonly string[]> {
  return {
    describe: "a comma-separated list, or unset",
    parse: (raw) => (raw === undefined ? [] : raw.split(",").map((v) => v.trim()).filter((v) => v !== "")),
  };
}

export interface RateSetting {
  readonly perSecond: number;
  readonly burst: number;
}

/** `consumer=rate[/burst],...`: each consumer's own rate limit; burst defaults to twice the rate (at least 1). */
function consumerRatesSetting(): Setting<Readonly<Record<string, RateSetting>>> {
  return {
    describe: "consumer=rate or consumer=rate/burst, comma-separated (e.g. passport-app=20/40,benefits-app=5)",
    parse: (raw) => {
      const out: Record<string, RateSetting> = {};
      for (const item of raw === undefined ? [] : raw.split(",").map((v) => v.trim()).filter((v) => v !== "")) {
        const match = /^([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)(?:\s*\/\s*(\d+))?$/.exec(item);
        if (match?.[1] === undefined || match[2] === undefined) throw new Error(`${JSON.stringify(item)} is not consumer=rate[/burst]`);
        const perSecond = Number(match[2]);
        const burst = match[3] === undefined ? Math.max(1, Math.ceil(perSecond * 2)) : Number(match[3]);
        if (perSecond > 1_000_000 || burst < 1) throw new Error(`${JSON.stringify(item)}: rate at most 1000000, burst at least 1`);
        out[match[1]] = { perSecond, burst };
      }
      return out;
    },
  };
}

/** The subgraph of the exchange's own register (members, applications, grants), reached at EXCHANGE_URL. */
export const exchangeSubgraph = "exchange";

/** `REGISTRY_URL`, `DRP_REST_URL`, ...: the run-time URL of each subgraph, overriding the supergraph's default. */
export function subgraphUrlVariable(name: string): string {
  return `${name.toUpperCase().replaceAll(/[^A-Z0-9]/g, "_")}_URL`;
}

const base = {
  /** development, test or production: production refuses development secrets. @default "development" */
  NDX_ENV: environmentSetting(),
  /** A postgres:// URL for the gateway's own tables (the audit trail); unset means PGlite under PGLITE_DIR. */
  DATABASE_URL: setting.optionalUrl(),
  /** @default ".data/gateway" */
  PGLITE_DIR: setting.string(resolve(defaultDataDir, "gateway")),
  /**
   * PGlite in a worker thread: the audit trail's statements run off the thread that serves requests (the request
   * still waits for its decision's commit). Ignored with DATABASE_URL. @default true
   */
  PGLITE_WORKER: setting.bool(true),
  /** Turn the access plugin off (the bench's plain gateway only). @default true */
  ACCESS_CONTROL: setting.bool(true),
  /** The OpenID issuer whose tokens consumers present. @default "http://localhost:9000" */
  OIDC_ISSUER: setting.url("http://localhost:9000"),
  /** This gateway's audience: tokens must carry it in `aud`. @default "http://localhost:4000/graphql" */
  OIDC_AUDIENCE: setting.string("http://localhost:4000/graphql"),
  /** The issuer's JWKS URL; discovered from the issuer when unset. */
  OIDC_JWKS_URI: setting.optionalUrl(),
  /** @default "http://localhost:8081" */
  CONSENT_ENGINE_URL: setting.url("http://localhost:8081"),
  /** Service credential for the consent engine's API (development default only in development). */
  CONSENT_SERVICE_TOKEN: setting.optionalString(),
  /**
   * The exchange subgraph's base URL: its register (`/v1/register`, `/v1/register/stream`) is the policy's data, and
   * `/graphql` is the `exchange` subgraph. Required outside development (with the access plugin on); in development,
   * unset, the gateway uses a fixed register built from the fixture seed. @default unset
   */
  EXCHANGE_URL: setting.optionalUrl(),
  /** Service credential for the exchange's register (development default only in development). */
  EXCHANGE_SERVICE_TOKEN: setting.optionalString(),
  /** GATEWAY_SIGNING_KEY (required outside development), GATEWAY_SIGNING_KEY_PREVIOUS, GATEWAY_ISSUER: the caller assertions to subgraphs. */
  ...gatewaySigningConfigSpec,
  /** Credential the consent portal presents to read a citizen's audit events (development default only in development). */
  AUDIT_READ_TOKEN: setting.optionalString(),
  /** Longest a cached consent answer is trusted. @default 30000 */
  CONSENT_CACHE_MS: setting.int(30_000, { min: 0, max: 3_600_000 }),
  /** The compiled policy bundle. @default "policy/dist" */
  POLICY_DIR: setting.string(distDir),
  /** This replica's audit chain: give each gateway replica its own. @default "main" */
  AUDIT_CHAIN: setting.string("main"),
  /**
   * Group commit of the audit trail: least milliseconds between two INSERTs under load (see auditLog.ts).
   * @default 30 on PGlite in process (each statement runs on the gateway's thread), 0 on PostgreSQL and with PGLITE_WORKER
   */
  AUDIT_GROUP_COMMIT_MS: {
    describe: "milliseconds from 0 to 1000, or unset",
    parse: (raw: string | undefined) => (raw === undefined ? undefined : setting.int(0, { min: 0, max: 1000 }).parse(raw)),
  } satisfies Setting<number | undefined>,
  /**
   * How long audit writes may fail (or one hang) before the gateway stops serving personal data (EVIDENCE_UNAVAILABLE)
   * and /ready says why. @default 5000
   */
  AUDIT_FAILURE_GRACE_MS: setting.int(5000, { min: 0, max: 600_000 }),
  /** Most audit records waiting to be written before the same happens. @default 10000 */
  AUDIT_MAX_BACKLOG: setting.int(10_000, { min: 1, max: 10_000_000 }),
  /** Signed, time-stamped checkpoints: AUDIT_CHECKPOINT_*, AUDIT_TSA_*, AUDIT_TIMESTAMP_MAX_AGE_MS (evidence/evidenceConfig.ts). */
  ...evidenceConfigSpec,
  /** How long per-request operational records are kept (GET /operational-records). @default 7 */
  OPERATIONAL_RECORDS_DAYS: setting.int(7, { min: 1, max: 366 }),
  /** Time zone of policy access windows. @default "UTC" */
  NDX_TIMEZONE: setting.string("UTC"),
  /** @default 4000 */
  PORT: setting.port(4000),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** The composed supergraph. @default "schema/supergraph.graphql" */
  SUPERGRAPH_FILE: setting.string(supergraphFile),
  /** GraphiQL at GET /graphql for developers. @default true in development, false otherwise */
  GRAPHIQL: setting.optionalBool(),
  /** Schema introspection. @default true in development, false otherwise */
  INTROSPECTION: setting.optionalBool(),
  /** Largest request body in bytes. @default 65536 */
  MAX_BODY_BYTES: setting.int(65_536, { min: 1024, max: 10_485_760 }),
  /** Most lexical tokens in a document. @default 1000 */
  MAX_TOKENS: setting.int(1000, { min: 50, max: 100_000 }),
  /** Deepest selection. @default 10 */
  MAX_DEPTH: setting.int(10, { min: 2, max: 100 }),
  /** Most aliases in an operation. @default 15 */
  MAX_ALIASES: setting.int(15, { min: 0, max: 1000 }),
  /** Most directives in an operation. @default 20 */
  MAX_DIRECTIVES: setting.int(20, { min: 0, max: 1000 }),
  /** Highest graphql-armor cost. @default 5000 */
  MAX_COST: setting.int(5000, { min: 10, max: 1_000_000 }),
  /** Deepest nesting of lists and objects in a variable or literal (JSON payloads, filters). @default 32 */
  MAX_INPUT_DEPTH: setting.int(32, { min: 2, max: 1000 }),
  /**
   * Browser origins allowed to call the gateway with credentials (CORS), comma-separated: the registered consumer
   * apps' origins and the console. @default in development the dev apps, portal and console (cors.ts); otherwise none
   */
  CORS_ORIGINS: corsOriginsSetting(),
  /** A trusted document manifest (Apollo persisted query manifest, or a JSON object id → document). @default unset: off */
  TRUSTED_DOCUMENTS_FILE: setting.optionalString(),
  /** Consumer ids held to the trusted documents, comma-separated; `*` holds every consumer. @default none */
  TRUSTED_DOCUMENTS_REQUIRED: listSetting(),
  /** Each caller's sustained requests per second, per replica; 0 turns rate limits off. @default 500 */
  RATE_LIMIT_PER_SECOND: rateSetting(500),
  /** Requests a caller may send at once above the sustained rate. @default twice RATE_LIMIT_PER_SECOND, at least 1 */
  RATE_LIMIT_BURST: optionalIntSetting({ min: 1, max: 10_000_000 }),
  /** Per-consumer rates: `consumer=rate[/burst],...`. @default none */
  RATE_LIMIT_CONSUMERS: consumerRatesSetting(),
  /** Hold each rate once across all replicas, leased from the database. @default true with DATABASE_URL (PostgreSQL) */
  RATE_LIMIT_GLOBAL: setting.optionalBool(),
  /** Replicas that share a rate when the database cannot be reached (each then admits rate / replicas). @default 1 */
  RATE_LIMIT_REPLICAS: setting.int(1, { min: 1, max: 1000 }),
  /** Per-subgraph request timeout. @default 10000 */
  SUBGRAPH_TIMEOUT_MS: setting.int(10_000, { min: 100, max: 120_000 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  /** OpenTelemetry tracing: OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ... (docs/operations.md). @default off */
  ...tracingConfigSpec,
};

export const developmentSecrets = {
  CONSENT_SERVICE_TOKEN: "dev-consent-service-token",
  AUDIT_READ_TOKEN: "dev-audit-read-token",
  EXCHANGE_SERVICE_TOKEN: "dev-exchange-service-token",
} as const;

export interface GatewayConfig {
  readonly NDX_ENV: "development" | "test" | "production";
  readonly DATABASE_URL: string | undefined;
  readonly PGLITE_DIR: string;
  readonly PGLITE_WORKER: boolean;
  readonly ACCESS_CONTROL: boolean;
  readonly OIDC_ISSUER: string;
  readonly OIDC_AUDIENCE: string;
  readonly OIDC_JWKS_URI: string | undefined;
  readonly CONSENT_ENGINE_URL: string;
  readonly CONSENT_SERVICE_TOKEN: string;
  readonly AUDIT_READ_TOKEN: string;
  /** The exchange's base URL; undefined only in development, where the register is the fixture seed's. */
  readonly EXCHANGE_URL: string | undefined;
  readonly EXCHANGE_SERVICE_TOKEN: string;
  /** The key that signs caller assertions to subgraphs (generated at start in development), and what else the JWKS publishes. */
  readonly signing: GatewaySigning;
  readonly CONSENT_CACHE_MS: number;
  readonly POLICY_DIR: string;
  readonly AUDIT_CHAIN: string;
  readonly AUDIT_GROUP_COMMIT_MS: number | undefined;
  readonly AUDIT_FAILURE_GRACE_MS: number;
  readonly AUDIT_MAX_BACKLOG: number;
  /** Checkpoints, their key and the time-stamping authority (docs/evidence.md). */
  readonly evidence: EvidenceSettings;
  readonly OPERATIONAL_RECORDS_DAYS: number;
  readonly NDX_TIMEZONE: string;
  readonly PORT: number;
  readonly HOST: string;
  readonly SUPERGRAPH_FILE: string;
  readonly GRAPHIQL: boolean;
  readonly INTROSPECTION: boolean;
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxTokens: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxCost: number;
    readonly maxInputDepth: number;
    readonly disableIntrospection: boolean;
  };
  /** Origins allowed to call from a browser (CORS), with credentials. */
  readonly corsOrigins: readonly string[];
  /** Trusted documents: the manifest (unset: off) and the consumers held to it. */
  readonly trustedDocuments: { readonly file: string | undefined; readonly required: readonly string[] };
  /** Rate limits per caller and replica; a perSecond of 0 is no limit. */
  readonly rateLimit: {
    readonly rate: RateSetting;
    readonly consumers: Readonly<Record<string, RateSetting>>;
    /** Held once across replicas (globalRateLimit.ts), sharing among `replicas` when the database is unreachable. */
    readonly global: boolean;
    readonly replicas: number;
  };
  readonly SUBGRAPH_TIMEOUT_MS: number;
  readonly LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** From the OTEL_* variables; undefined: tracing off (the default). */
  readonly tracing: TracingOptions | undefined;
  /** Subgraph name → URL, for those overridden. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const urls: Record<string, Setting<string | undefined>> = {};
  // The exchange subgraph is routed from EXCHANGE_URL (a base URL), not from a URL variable of its own.
  const overridable = listSubgraphs().filter((s) => s.name !== exchangeSubgraph);
  for (const s of overridable) urls[subgraphUrlVariable(s.name)] = setting.optionalUrl();
  const problems: string[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
      return undefined;
    }
  };
  const parsed = collect(() => loadConfig(base, env));
  const overrides = collect(() => loadConfig(urls, env));
  if (parsed === undefined || overrides === undefined) throw new ConfigError(problems);
  const secrets = collect(() =>
    resolveSecrets(
      parsed.NDX_ENV,
      {
        CONSENT_SERVICE_TOKEN: parsed.CONSENT_SERVICE_TOKEN,
        AUDIT_READ_TOKEN: parsed.AUDIT_READ_TOKEN,
        EXCHANGE_SERVICE_TOKEN: parsed.EXCHANGE_SERVICE_TOKEN,
      },
      developmentSecrets,
    ),
  );
  const signing = collect(() => gatewaySigningFrom(parsed));
  const evidence = collect(() => evidenceSettingsFrom(parsed));
  try {
    new Intl.DateTimeFormat("en", { timeZone: parsed.NDX_TIMEZONE });
  } catch {
    problems.push(`NDX_TIMEZONE=${JSON.stringify(parsed.NDX_TIMEZONE)}: is not an IANA time zone (expected e.g. Africa/Lusaka)`);
  }
  if (parsed.TRUSTED_DOCUMENTS_REQUIRED.length > 0 && parsed.TRUSTED_DOCUMENTS_FILE === undefined) {
    problems.push(
      `TRUSTED_DOCUMENTS_REQUIRED=${JSON.stringify(parsed.TRUSTED_DOCUMENTS_REQUIRED.join(","))}: holds consumers to trusted documents, but TRUSTED_DOCUMENTS_FILE is not set`,
    );
  }
  if (parsed.EXCHANGE_URL === undefined && parsed.NDX_ENV !== "development" && parsed.ACCESS_CONTROL) {
    problems.push(`EXCHANGE_URL: must be set when NDX_ENV=${parsed.NDX_ENV}: the exchange's register says who may read what`);
  }
  if (problems.length > 0 || secrets === undefined || signing === undefined || evidence === undefined) throw new ConfigError(problems);
  const subgraphUrls: Record<string, string> = {};
  for (const s of overridable) {
    const url = overrides[subgraphUrlVariable(s.name)];
    if (url !== undefined) subgraphUrls[s.name] = url;
  }
  if (parsed.EXCHANGE_URL !== undefined) subgraphUrls[exchangeSubgraph] = `${parsed.EXCHANGE_URL.replace(/\/+$/, "")}/graphql`;
  const { GATEWAY_SIGNING_KEY: _key, GATEWAY_SIGNING_KEY_PREVIOUS: _previous, AUDIT_CHECKPOINT_KEY: _ck, AUDIT_CHECKPOINT_KEY_PREVIOUS: _cp, ...settings } = parsed;
  return {
    ...settings,
    ...secrets,
    signing,
    evidence,
    PORT: parsed.PORT,
    HOST: parsed.HOST,
    SUPERGRAPH_FILE: resolve(parsed.SUPERGRAPH_FILE),
    GRAPHIQL: parsed.GRAPHIQL ?? parsed.NDX_ENV === "development",
    INTROSPECTION: parsed.INTROSPECTION ?? parsed.NDX_ENV === "development",
    limits: {
      maxBodyBytes: parsed.MAX_BODY_BYTES,
      maxTokens: parsed.MAX_TOKENS,
      maxDepth: parsed.MAX_DEPTH,
      maxAliases: parsed.MAX_ALIASES,
      maxDirectives: parsed.MAX_DIRECTIVES,
      maxCost: parsed.MAX_COST,
      maxInputDepth: parsed.MAX_INPUT_DEPTH,
      disableIntrospection: !(parsed.INTROSPECTION ?? parsed.NDX_ENV === "development"),
    },
    corsOrigins: parsed.CORS_ORIGINS ?? (parsed.NDX_ENV === "development" ? developmentCorsOrigins : []),
    trustedDocuments: {
      file: parsed.TRUSTED_DOCUMENTS_FILE === undefined ? undefined : resolve(parsed.TRUSTED_DOCUMENTS_FILE),
      required: parsed.TRUSTED_DOCUMENTS_REQUIRED,
    },
    rateLimit: {
      rate: {
        perSecond: parsed.RATE_LIMIT_PER_SECOND,
        burst: parsed.RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(parsed.RATE_LIMIT_PER_SECOND * 2)),
      },
      consumers: parsed.RATE_LIMIT_CONSUMERS,
      global: parsed.RATE_LIMIT_GLOBAL ?? parsed.DATABASE_URL !== undefined,
      replicas: parsed.RATE_LIMIT_REPLICAS,
    },
    SUBGRAPH_TIMEOUT_MS: parsed.SUBGRAPH_TIMEOUT_MS,
    LOG_LEVEL: parsed.LOG_LEVEL,
    tracing: tracingOptionsFrom(parsed, "gateway"),
    subgraphUrls,
  };
}
