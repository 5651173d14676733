/** The registry subgraph as a graphql-yoga app over `@apollo/subgraph`. */
import { randomBytes } from "node:crypto";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import {
  createMaskError,
  createServiceMetrics,
  createGatewayTrust,
  useHealth,
  useInputErrorCodes,
  useInputLimits,
  useMetrics,
  useTracing,
  type Db,
  type Logger,
  type ServiceMetrics,
  type SubgraphTrustOptions,
  type Tracing,
} from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { parse } from "graphql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { createChangeRequests } from "./changeRequests.ts";
import { createContext, type RegistryContext } from "./context.ts";
import { openDataKeyRing } from "./dataKeys.ts";
import { useEventFeed } from "./eventFeed.ts";
import { createFieldCipher } from "./fieldCipher.ts";
import { envKeyEncryptionKey, type KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";
import { createMatchIndex } from "./matchIndex.ts";
import { defaultRegistersDir } from "./config.ts";
import { createPersonStore } from "./personStore.ts";
import { adoptRecords } from "./recordAdoption.ts";
import { createRecordReader } from "./recordReader.ts";
import { loadRegisters, type RegisterCatalogue } from "./registerMetadata.ts";
import type { RegistryServices } from "./registryServices.ts";
import { createResolvers } from "./resolvers.ts";

export interface RegistryOptions {
  readonly db: Db;
  readonly logger: Logger;
  /** The registers, from their metadata. @default loadRegisters(defaultRegistersDir): the registers shipped in registers/ */
  readonly registers?: RegisterCatalogue;
  /**
   * Wraps the data keys; called only here at start-up, never per request. Services pass the configured one
   * (REGISTRY_KEK). @default a random KEK held only in this process's memory: for tests on throwaway databases, as
   * nothing it encrypts can be read after a restart (and a database holding keys under another KEK refuses it).
   */
  readonly keyEncryptionKey?: KeyEncryptionKeyProvider;
  /** Serve GraphiQL on GET /graphql; never with `gatewayTrust` (only the gateway may call). @default true */
  readonly graphiql?: boolean;
  /**
   * Where the gateway's keys are: every GraphQL request must then carry its caller assertion for "registry", and the
   * caller it names is the only one the registry knows (change-request makers and checkers included).
   * @default undefined: no check and no caller (tests of reads only)
   */
  readonly gatewayTrust?: SubgraphTrustOptions | undefined;
  /** The credential of the outbox feed at GET /events; no feed when unset. @default undefined */
  readonly eventsToken?: string | undefined;
  /** Metrics served at GET /metrics. @default a registry of its own */
  readonly metrics?: ServiceMetrics;
  /** A SERVER span per request, continuing the gateway's traceparent. @default undefined: off, no plugin */
  readonly tracing?: Tracing | undefined;
}

export type RegistryYoga = YogaServerInstance<Record<string, never>, RegistryContext>;

export async function createRegistry(options: RegistryOptions): Promise<RegistryYoga> {
  const { db, logger } = options;
  const catalogue = options.registers ?? loadRegisters(defaultRegistersDir);
  let kek = options.keyEncryptionKey;
  if (kek === undefined) {
    kek = envKeyEncryptionKey(randomBytes(32));
    logger.warn("no key-encryption key given: using a random one that dies with this process (tests only)");
  }
  const people = createPersonStore(db);
  // Reference data, read once at start-up rather than on every request.
  const districts = new Set(await people.districts());
  // The only calls to the KEK provider: unwrap (or create) each register's data key once.
  const keys = await openDataKeyRing(db, kek, catalogue.registers.map((r) => r.name));
  const cipher = createFieldCipher(keys);
  const index = createMatchIndex(keys);
  const adopted = await adoptRecords(db, catalogue, cipher, index);
  if (Object.keys(adopted).length > 0) logger.info({ adopted }, "records imported without a change request now have their history");
  const registry: RegistryServices = {
    db,
    catalogue,
    cipher,
    records: createRecordReader(db, cipher),
    changeRequests: createChangeRequests({ db, catalogue, cipher, index, keys }),
  };

  const trust = options.gatewayTrust === undefined ? undefined : createGatewayTrust({ ...options.gatewayTrust, audience: "registry", logger });
  const schema = buildSubgraphSchema({
    typeDefs: parse(subgraphSdl("registry")),
    // The library types resolver maps with an unknown context; ours is typed RegistryContext.
    resolvers: createResolvers({ districts }) as GraphQLResolverMap<unknown>,
  });
  return createYoga<Record<string, never>, RegistryContext>({
    schema,
    // Yoga serves GraphiQL before any plugin runs, so it could not be refused: off whenever only the gateway may call.
    graphiql: trust === undefined && (options.graphiql ?? true),
    landingPage: false,
    // Our useHealth answers /health and /ready with JSON; keep yoga's own probe off those paths.
    healthCheckEndpoint: "/.well-known/yoga/health",
    logging: false,
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, "unexpected error in a resolver")) },
    context: ({ request }) => createContext(people, registry, trust?.callerOf(request)),
    plugins: [
      // First: the request's span is active while every other plugin and resolver runs.
      ...(options.tracing === undefined ? [] : [useTracing(options.tracing)]),
      // Before the gateway check: /metrics is for the operators' scraper, not the gateway.
      useMetrics(options.metrics ?? createServiceMetrics("registry")),
      // Before the gateway check: feed readers hold their own credential, not the gateway's.
      ...(options.eventsToken === undefined ? [] : [useEventFeed({ db, token: options.eventsToken })]),
      ...(trust === undefined ? [] : [trust.plugin]),
      useInputErrorCodes(),
      // Where input enters: no value nested deeper than 32, no NUL in any string (inputLimits.ts).
      useInputLimits(),
      useHealth({
        database: async () => {
          await db.query("SELECT 1");
        },
      }),
    ],
  });
}
