/** The exchange subgraph: its services opened at start-up, served by the platform's createSubgraphServer. */
import {
  createServiceMetrics,
  createSubgraphServer,
  type Db,
  type Logger,
  type ServiceMetrics,
  type SubgraphTrustOptions,
  type SubgraphYoga,
  type Tracing,
} from "@ndx/platform";
import { listSubgraphs, subgraphSdl, supergraphFile } from "@ndx/schema";
import { createApplications } from "./applications/applications.ts";
import { loadFieldCatalogue, type FieldCatalogue } from "./catalogue/fieldCatalogue.ts";
import { createGrantRequests } from "./grants/grantRequests.ts";
import { useAuditExtensions } from "./graphql/auditExtensions.ts";
import { createContext, type ExchangeContext } from "./graphql/context.ts";
import { resolvers } from "./graphql/resolvers.ts";
import type { ExchangeServices } from "./graphql/services.ts";
import { createMembers } from "./members/members.ts";
import type { ClientRegistrar } from "./clientRegistration.ts";
import { createRegisterEndpoints, type RegisterEndpoints } from "./register/registerEndpoints.ts";
import { addRegisterMetrics } from "./register/registerMetrics.ts";
import { openRevisionFeed, type RevisionFeed } from "./storage/revisions.ts";
import { createSecretBox } from "./storage/secretBox.ts";
import { unknownCoverage, type ConsentCoverage } from "./schemaRegistry/consentCoverage.ts";
import { createRegistryEndpoints } from "./schemaRegistry/registryEndpoints.ts";
import { createSchemaRegistry } from "./schemaRegistry/schemaRegistry.ts";
import { seedSchemaRegistry } from "./schemaRegistry/seedSchemas.ts";
import { createLiveCatalogue } from "./schemaRegistry/liveCatalogue.ts";

export interface ExchangeOptions {
  /** Migrated (see migrationsDir). */
  readonly db: Db;
  readonly logger: Logger;
  /** Makes, rotates and removes the applications' OAuth clients at the identity provider. */
  readonly registrar: ClientRegistrar;
  /** Seals the registration access tokens at rest (EXCHANGE_SECRET_KEY): 32 bytes. */
  readonly secretKey: Uint8Array;
  /** The followers' credential for /v1/register and /v1/register/stream (EXCHANGE_SERVICE_TOKEN). */
  readonly serviceToken: string;
  /** The fields grants can name. @default loadFieldCatalogue(supergraphFile): the repository's composed supergraph */
  readonly catalogue?: FieldCatalogue;
  /** Development rules: http redirect URIs to localhost are accepted. @default false */
  readonly development?: boolean;
  /** The PostgreSQL URL to LISTEN on for other exchange processes' changes. @default undefined: this process only (PGlite) */
  readonly listenUrl?: string | undefined;
  /** Register stream heartbeat period. @default 250 */
  readonly heartbeatMs?: number;
  /** Announced to followers. @default 1000 */
  readonly staleAfterMs?: number;
  /** Where the gateway's keys are: every GraphQL request must carry its caller assertion for "exchange". @default undefined: no check, no caller */
  readonly gatewayTrust?: SubgraphTrustOptions | undefined;
  /** Serve GraphiQL on GET /graphql; never with `gatewayTrust`. @default true */
  readonly graphiql?: boolean;
  /** Metrics served at GET /metrics, the register's gauges added. @default a registry of its own */
  readonly metrics?: ServiceMetrics;
  /** A SERVER span per request, continuing the gateway's traceparent. @default undefined: off */
  readonly tracing?: Tracing | undefined;
  /**
   * ACTIVE consents per field, for the schema registry's checks (the consent engine).
   * @default none: unknown, so every breaking change counts as in use (fail closed)
   */
  readonly coverage?: ConsentCoverage | undefined;
  /** How many days of operations count as use in the registry's checks. @default 30 */
  readonly usageDays?: number;
  /** The schema registry's seed on a fresh database. @default the repository's subgraphs (schema/subgraphs.json) */
  readonly seedSubgraphs?: readonly { name: string; url: string; sdl: string }[];
}

export interface ExchangeServer {
  readonly yoga: SubgraphYoga<ExchangeContext>;
  readonly revisions: RevisionFeed;
  readonly register: RegisterEndpoints;
  /** Ends the register streams and stops listening; call before closing the HTTP server, then the database. */
  close(): Promise<void>;
}

export async function createExchange(options: ExchangeOptions): Promise<ExchangeServer> {
  const { db, logger } = options;
  const revisions = await openRevisionFeed({ db, listenUrl: options.listenUrl, logger });
  const schemas = await seedSchemaRegistry(db, options.seedSubgraphs ?? listSubgraphs().map((s) => ({ name: s.name, url: s.url, sdl: subgraphSdl(s.name) })), logger);
  if (schemas !== "unchanged") logger.info({ schemas }, "schema registry seeded from the repository");
  // What grants can name follows the schema registry's active supergraph.
  const catalogue = createLiveCatalogue(db, options.catalogue ?? loadFieldCatalogue(supergraphFile), revisions, logger);
  await catalogue.refresh();
  const register = createRegisterEndpoints({
    db,
    revisions,
    token: options.serviceToken,
    logger,
    // Over PostgreSQL other exchange processes may serve followers this one cannot see.
    otherInstances: options.listenUrl !== undefined,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
  });
  // A tightening change answers once it holds on every follower of the register.
  const changes = { db, revisions, settled: register.settled };
  const applications = createApplications({
    ...changes,
    registrar: options.registrar,
    secrets: createSecretBox(options.secretKey),
    development: options.development ?? false,
    logger,
  });
  const services: ExchangeServices = {
    db,
    changes,
    catalogue,
    members: createMembers({ ...changes, catalogue }),
    applications,
    grantRequests: createGrantRequests({ ...changes, catalogue, applications }),
    schemaRegistry: createSchemaRegistry({ ...changes, coverage: options.coverage ?? unknownCoverage, onActivated: catalogue.refresh, ...(options.usageDays === undefined ? {} : { usageDays: options.usageDays }) }),
  };
  const metrics = options.metrics ?? createServiceMetrics("exchange");
  addRegisterMetrics(metrics, register, revisions);
  const yoga = createSubgraphServer<ExchangeContext>({
    name: "exchange",
    sdl: subgraphSdl("exchange"),
    resolvers,
    context: ({ caller }) => createContext(services, caller),
    ready: {
      database: async () => {
        await db.query("SELECT 1");
      },
    },
    // The register has its own credential (followers are services, not the gateway's callers); the audit extension
    // only adds to results.
    openPlugins: [register.plugin, createRegistryEndpoints({ db, token: options.serviceToken, logger }), useAuditExtensions()],
    gatewayTrust: options.gatewayTrust,
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
    metrics,
    tracing: options.tracing,
    logger,
  });
  return {
    yoga,
    revisions,
    register,
    async close() {
      catalogue.close();
      register.close();
      await revisions.close();
    },
  };
}
