/** The registry subgraph: its services opened at start-up, served by the platform's createSubgraphServer. */
import { randomBytes } from "node:crypto";
import {
  createSubgraphServer,
  type Db,
  type Logger,
  type ServiceMetrics,
  type SubgraphTrustOptions,
  type SubgraphYoga,
  type Tracing,
} from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { createChangeRequests } from "./changeRequests/changeRequests.ts";
import { createContext, type RegistryContext } from "./graphql/context.ts";
import { openDataKeyRing } from "./keys/dataKeys.ts";
import { useEventFeed } from "./events/eventFeed.ts";
import { useGuardianshipRoute } from "./households/guardianshipRoute.ts";
import { createFieldCipher } from "./keys/fieldCipher.ts";
import { envKeyEncryptionKey, type KeyEncryptionKeyProvider } from "./keys/keyEncryptionKey.ts";
import { createMatchIndex } from "./records/matchIndex.ts";
import { defaultRegistersDir } from "./config.ts";
import { createPersonStore } from "./persons/personStore.ts";
import { adoptRecords } from "./records/recordAdoption.ts";
import { seedRecords, type RecordSeed } from "./records/recordSeed.ts";
import { createRecordReader } from "./records/recordReader.ts";
import { loadRegisters, type RegisterCatalogue } from "./registers/registerMetadata.ts";
import type { RegistryServices } from "./graphql/registryServices.ts";
import { createResolvers } from "./graphql/resolvers.ts";

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
  /** The credential of GET /v1/guardianship/{nic} (the consent engine's); no such route when unset. @default undefined */
  readonly guardianshipToken?: string | undefined;
  /** Development records seeded before adoption (the demo data's households); existing ids are left alone. @default none */
  readonly seedRecords?: readonly RecordSeed[];
  /** Metrics served at GET /metrics. @default a registry of its own */
  readonly metrics?: ServiceMetrics;
  /** A SERVER span per request, continuing the gateway's traceparent. @default undefined: off, no plugin */
  readonly tracing?: Tracing | undefined;
}

export type RegistryYoga = SubgraphYoga<RegistryContext>;

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
  if (options.seedRecords !== undefined) await seedRecords(db, catalogue, cipher, options.seedRecords);
  const adopted = await adoptRecords(db, catalogue, cipher, index);
  if (Object.keys(adopted).length > 0) logger.info({ adopted }, "records imported without a change request now have their history");
  const registry: RegistryServices = {
    db,
    catalogue,
    cipher,
    records: createRecordReader(db, cipher),
    changeRequests: createChangeRequests({ db, catalogue, cipher, index, keys }),
  };

  return createSubgraphServer<RegistryContext>({
    name: "registry",
    sdl: subgraphSdl("registry"),
    resolvers: createResolvers({ districts }),
    // The caller the gateway's assertion names is the only one the registry knows (change-request makers and checkers).
    context: ({ caller }) => createContext(people, registry, caller),
    ready: {
      database: async () => {
        await db.query("SELECT 1");
      },
    },
    // Before the gateway check: feed readers hold their own credential, not the gateway's.
    openPlugins: [
      ...(options.eventsToken === undefined ? [] : [useEventFeed({ db, token: options.eventsToken })]),
      ...(options.guardianshipToken === undefined ? [] : [useGuardianshipRoute({ db, token: options.guardianshipToken })]),
    ],
    gatewayTrust: options.gatewayTrust,
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
    metrics: options.metrics,
    tracing: options.tracing,
    logger,
  });
}
