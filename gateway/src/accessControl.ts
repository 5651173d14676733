/**
 * Assembles the access plugin from configuration: the gateway's database and audit log, the authenticator, the
 * field catalogue, the policy bundle (reloaded when rebuilt) with the exchange's register as its data (followed at
 * EXCHANGE_URL, or the fixture seed's in development without it), the consent engine client, and admission (trusted
 * documents, rate limits). All of it is built once at start-up; nothing here runs per request. This is the gateway's
 * composition root for access: it imports the parts below it (access/, audit/) and nothing imports it but main.ts.
 */
import { createRegisterFollower, migrate, readMigrations, type Check, type Db, type Logger, type RegisterFollower, type Tracing } from "@ndx/platform";
import type { ExchangeRegister } from "@ndx/contracts";
import { watchAccessPolicy } from "@ndx/policy";
import type { Plugin } from "graphql-yoga";
import type { GraphQLSchema } from "graphql";
import { useAuditApi } from "./audit/auditApi.ts";
import { openAuditLog } from "./audit/auditLog.ts";
import { useAuditSummary } from "./audit/auditSummary.ts";
import { gatewayMigrationsDir } from "./audit/migrations.ts";
import { openGatewayDb } from "./database/gatewayDb.ts";
import { useCitizenEvidence } from "./evidence/citizenEvidenceApi.ts";
import { startEvidence } from "./evidence/evidence.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayMetrics } from "./gatewayMetrics.ts";
import { createAdmission } from "./access/admission.ts";
import { createGlobalLimiter } from "./access/globalRateLimit.ts";
import { createConsentCheck } from "./access/consentCheck.ts";
import { createAuthenticator } from "./access/consumerAuth.ts";
import { buildFieldCatalogue, type FieldCatalogue } from "./access/fieldCatalogue.ts";
import { createRegisterPolicy } from "./access/registerPolicy.ts";
import { seedRegister } from "./access/seedRegister.ts";
import { useAccess } from "./access/useAccess.ts";
import { useOperationalQuery } from "./operations/operationalQuery.ts";
import { startOperationalWriter } from "./operations/operationalWriter.ts";
import { useOperationalRecords } from "./operations/useOperationalRecords.ts";
import { createUsageReport, usageConsumer } from "./usage/usageReport.ts";

export interface AccessControl {
  readonly plugins: Plugin[];
  readonly readiness: Record<string, Check>;
  close(): Promise<void>;
}

export interface AccessControlOptions {
  readonly config: GatewayConfig;
  /** The composed supergraph SDL: the field catalogue (providers, data classes, subjects) is read from it. */
  readonly supergraphSdl: string;
  readonly logger: Logger;
  /** The gateway's database (replicas in tests share one). @default opened from config, closed with the access control */
  readonly db?: Db | undefined;
  /** Decisions, consent checks, audit writes and turned-away requests. @default none */
  readonly metrics?: GatewayMetrics | undefined;
  /** The rate limiter's clock, in milliseconds (tests inject one). @default performance.now */
  readonly now?: (() => number) | undefined;
  /** The gateway's tracing: calls to the consent engine join the request's trace. @default undefined: off */
  readonly tracing?: Tracing | undefined;
  /**
   * A fixed register instead of the one followed at EXCHANGE_URL (tests). @default followed at EXCHANGE_URL; in
   * development without it, the fixture seed's
   */
  readonly register?: ExchangeRegister | undefined;
  /**
   * The field catalogue of each schema the gateway serves (supergraphSnapshots.ts): a request is decided with the
   * catalogue of the schema it was validated against. @default the catalogue of `supergraphSdl` for every request
   */
  readonly catalogueOf?: ((schema: GraphQLSchema) => FieldCatalogue | undefined) | undefined;
}

export async function createAccessControl(options: AccessControlOptions): Promise<AccessControl> {
  const { config, supergraphSdl, logger, db, metrics } = options;
  const database = db ?? (await openGatewayDb(config));
  await migrate(database, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  const { global, replicas } = config.rateLimit;
  const admission = createAdmission({
    trustedDocuments: config.trustedDocuments,
    rateLimit: config.rateLimit,
    logger,
    now: options.now,
    global: global ? createGlobalLimiter({ db: database, replicas, logger }) : undefined,
    ...(metrics === undefined ? {} : { onTurnedAway: metrics.turnedAway }),
  });
  const audit = await openAuditLog({
    db: database,
    chain: config.AUDIT_CHAIN,
    // A request waits for its decision's commit, so every ms of group commit is a ms of latency at a light load (30 ms
    // of PGlite's gave p50 +24 ms at 100 req/s, bench/PROFILE.md). It pays only where each INSERT runs on the serving
    // thread: PGlite in process. In the worker, or on PostgreSQL, a write starts as soon as the last one ends and the
    // requests that came meanwhile go together in the next.
    groupCommitMs: config.AUDIT_GROUP_COMMIT_MS ?? (database.kind === "pglite" && !config.PGLITE_WORKER ? 30 : 0),
    failureGraceMs: config.AUDIT_FAILURE_GRACE_MS,
    maxBacklog: config.AUDIT_MAX_BACKLOG,
    logger,
    ...(metrics === undefined ? {} : { onWrite: metrics.auditWrite }),
  });
  const catalogue = buildFieldCatalogue(supergraphSdl);
  if (catalogue.undeclared.length > 0) {
    logger.warn({ fields: catalogue.undeclared }, "fields without @classified are treated as PERSONAL");
  }
  const bundle = await watchAccessPolicy(config.POLICY_DIR, (event) => {
    if (event.error !== undefined) logger.error({ err: event.error }, "policy bundle reload failed; the previous one stays");
    else logger.info({ revision: event.revision, memo: bundle.current.memo }, "policy bundle reloaded");
  });
  logger.info({ revision: bundle.current.revision, memo: bundle.current.memo }, "policy bundle loaded");
  const policy = createRegisterPolicy(bundle);
  let follower: RegisterFollower | undefined;
  const fixed = options.register ?? (config.EXCHANGE_URL === undefined ? seedRegister(catalogue) : undefined);
  // The register in force, for whose operational records a member's people may read.
  let registerInForce = fixed;
  if (fixed !== undefined) {
    policy.apply(fixed);
    if (options.register === undefined) logger.warn("development: no EXCHANGE_URL, so the register is the fixture seed's and changes made at the exchange are not seen");
  } else if (config.EXCHANGE_URL !== undefined) {
    follower = createRegisterFollower({
      url: config.EXCHANGE_URL,
      serviceToken: config.EXCHANGE_SERVICE_TOKEN,
      logger,
      onRegister: (register) => {
        policy.apply(register);
        registerInForce = register;
        logger.info({ revision: register.revision, policy: policy.current.revision }, "exchange register applied");
      },
    });
  }
  const register = follower;
  // Field usage for the schema registry's checks: counted in memory, reported every 10 s and at shutdown.
  const usage =
    config.EXCHANGE_URL === undefined ? undefined : createUsageReport({ url: config.EXCHANGE_URL, serviceToken: config.EXCHANGE_SERVICE_TOKEN, logger });
  metrics?.followRegister(() => ({
    revision: policy.revision,
    staleSeconds: register === undefined ? 0 : register.staleForMs() / 1000,
  }));
  const evidence = await startEvidence({
    settings: config.evidence,
    db: database,
    chain: config.AUDIT_CHAIN,
    audit,
    policyRevision: () => policy.current.revision,
    logger,
    metrics: metrics?.evidence,
  });
  const consent = createConsentCheck({
    url: config.CONSENT_ENGINE_URL,
    serviceToken: config.CONSENT_SERVICE_TOKEN,
    maxAgeMs: config.CONSENT_CACHE_MS,
    logger,
    ...(metrics === undefined ? {} : { onCheck: metrics.consentCheck }),
    tracing: options.tracing,
  });
  const authenticator = createAuthenticator({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUri: config.OIDC_JWKS_URI,
  });
  // Operational records: made per request in memory, written in batches off the request path.
  const operational = startOperationalWriter({ db: database, retentionDays: config.OPERATIONAL_RECORDS_DAYS, logger });
  return {
    plugins: [
      useOperationalRecords({ writer: operational, replica: config.AUDIT_CHAIN }),
      ...admission.plugins,
      ...evidence.plugins,
      useAuditSummary({
        db: database,
        authenticator,
        policy,
        timezone: config.NDX_TIMEZONE,
        consentEngineUrl: config.CONSENT_ENGINE_URL,
        consentServiceToken: config.CONSENT_SERVICE_TOKEN,
      }),
      useOperationalQuery({ db: database, authenticator, policy, register: () => registerInForce, timezone: config.NDX_TIMEZONE }),
      useCitizenEvidence({ db: database, readToken: config.AUDIT_READ_TOKEN, trust: () => Promise.resolve(evidence.trust) }),
      useAuditApi(database, config.AUDIT_READ_TOKEN),
      useAccess({
        admit: admission.admit,
        authenticator,
        catalogue,
        catalogueOf: options.catalogueOf,
        ...(usage === undefined ? {} : { onDecided: (document, record) => usage.count(document, record.operationName, usageConsumer(record), record.fields) }),
        policy,
        ...(register === undefined ? {} : { register }),
        consent,
        audit,
        evidence: evidence.health,
        logger,
        timezone: config.NDX_TIMEZONE,
        anonymousIntrospection: config.GRAPHIQL,
        ...(metrics === undefined ? {} : { onDecision: metrics.decision }),
      }),
    ],
    readiness: {
      database: async () => {
        await database.query("SELECT 1");
      },
      // Not ready while audit writes keep failing or too much waits to be written: no personal data is served then.
      audit: () => {
        const health = audit.health();
        return health.healthy ? Promise.resolve() : Promise.reject(new Error(health.reason));
      },
      // Not ready while no checkpoint was time-stamped for AUDIT_TIMESTAMP_MAX_AGE_MS: no personal data is served then.
      evidence: () => evidence.health.check(),
      // Not ready while the register is not known current: consumers are refused then.
      register: () => {
        if (register === undefined || register.current()) return Promise.resolve();
        const stale = register.revision < 0 ? "none applied yet" : `revision ${register.revision}, known current ${(register.staleForMs() / 1000).toFixed(1)} s ago`;
        return Promise.reject(new Error(`the exchange's register is not followed (${stale})`));
      },
    },
    async close() {
      consent.close();
      await usage?.close();
      register?.close();
      bundle.close();
      await audit.flush();
      await operational.close();
      // The last checkpoint covers everything flushed.
      await evidence.close();
      if (db === undefined) await database.close();
    },
  };
}
