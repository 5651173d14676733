/**
 * Assembles the access plugin from configuration: the gateway's database and audit log, the authenticator, the
 * field catalogue, the policy bundle (reloaded when rebuilt) and the consent engine client. All of it is built once
 * at start-up; nothing here runs per request.
 */
import { migrate, openDb, readMigrations, type Check, type Db, type Logger } from "@ndx/platform";
import { watchAccessPolicy } from "@ndx/policy";
import type { Plugin } from "graphql-yoga";
import { createConsentCheck } from "./access/consentCheck.ts";
import { createAuthenticator } from "./access/consumerAuth.ts";
import { buildFieldCatalogue } from "./access/fieldCatalogue.ts";
import { useAccess } from "./access/useAccess.ts";
import { useAuditApi } from "./audit/auditApi.ts";
import { openAuditLog } from "./audit/auditLog.ts";
import { gatewayMigrationsDir } from "./audit/migrations.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayMetrics } from "./gatewayMetrics.ts";

export interface AccessControl {
  readonly plugins: Plugin[];
  readonly readiness: Record<string, Check>;
  close(): Promise<void>;
}

export async function createAccessControl(
  config: GatewayConfig,
  supergraphSdl: string,
  logger: Logger,
  db?: Db,
  metrics?: GatewayMetrics,
): Promise<AccessControl> {
  const database = db ?? (await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "gateway" }));
  await migrate(database, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  const audit = await openAuditLog({
    db: database,
    chain: config.AUDIT_CHAIN,
    ...(metrics === undefined ? {} : { onWrite: metrics.auditWrite }),
  });
  const catalogue = buildFieldCatalogue(supergraphSdl);
  if (catalogue.undeclared.length > 0) {
    logger.warn({ fields: catalogue.undeclared }, "fields without @classified are treated as PERSONAL");
  }
  const policy = await watchAccessPolicy(config.POLICY_DIR, (event) => {
    if (event.error !== undefined) logger.error({ err: event.error }, "policy bundle reload failed; the previous one stays");
    else logger.info({ revision: event.revision }, "policy bundle reloaded");
  });
  logger.info({ revision: policy.current.revision }, "policy bundle loaded");
  const consent = createConsentCheck({
    url: config.CONSENT_ENGINE_URL,
    serviceToken: config.CONSENT_SERVICE_TOKEN,
    maxAgeMs: config.CONSENT_CACHE_MS,
    logger,
    ...(metrics === undefined ? {} : { onCheck: metrics.consentCheck }),
  });
  const authenticator = createAuthenticator({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    jwksUri: config.OIDC_JWKS_URI,
  });
  return {
    plugins: [
      useAuditApi(database, config.AUDIT_READ_TOKEN),
      useAccess({
        authenticator,
        catalogue,
        policy,
        consent,
        audit,
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
    },
    async close() {
      consent.close();
      policy.close();
      await audit.flush();
      if (db === undefined) await database.close();
    },
  };
}
