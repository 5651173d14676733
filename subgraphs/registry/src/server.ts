/** The registry subgraph as a graphql-yoga app over `@apollo/subgraph`. */
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { createMaskError, useGatewayTrust, useHealth, useInputErrorCodes, type Db, type Logger } from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { parse } from "graphql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { createContext, type RegistryContext } from "./context.ts";
import { createPersonStore } from "./personStore.ts";
import { createResolvers } from "./resolvers.ts";

export interface RegistryOptions {
  readonly db: Db;
  readonly logger: Logger;
  /** Serve GraphiQL on GET /graphql. @default true */
  readonly graphiql?: boolean;
  /** The gateway's credential; when set, GraphQL requests without it are refused. @default undefined */
  readonly gatewayToken?: string | undefined;
}

export type RegistryYoga = YogaServerInstance<Record<string, never>, RegistryContext>;

export async function createRegistry(options: RegistryOptions): Promise<RegistryYoga> {
  const { db, logger } = options;
  const people = createPersonStore(db);
  // Reference data, read once at start-up rather than on every request.
  const districts = new Set(await people.districts());
  const schema = buildSubgraphSchema({
    typeDefs: parse(subgraphSdl("registry")),
    // The library types resolver maps with an unknown context; ours is typed RegistryContext.
    resolvers: createResolvers({ districts }) as GraphQLResolverMap<unknown>,
  });
  return createYoga<Record<string, never>, RegistryContext>({
    schema,
    graphiql: options.graphiql ?? true,
    landingPage: false,
    // Our useHealth answers /health and /ready with JSON; keep yoga's own probe off those paths.
    healthCheckEndpoint: "/.well-known/yoga/health",
    logging: false,
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, "unexpected error in a resolver")) },
    context: () => createContext(people),
    plugins: [
      ...(options.gatewayToken === undefined ? [] : [useGatewayTrust(options.gatewayToken)]),
      useInputErrorCodes(),
      useHealth({
        database: async () => {
          await db.query("SELECT 1");
        },
      }),
    ],
  });
}
