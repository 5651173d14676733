/**
 * An adapter as a federation subgraph: graphql-yoga over `@apollo/subgraph` with the SDL from `schema/` (the
 * contract), answering only the gateway (its signed caller assertion), JSON /health and /ready, and errors masked the
 * NDX way. An UpstreamError thrown by a resolver becomes
 * UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT / NOT_FOUND naming the provider; anything unexpected is logged and shown
 * as a bare INTERNAL_SERVER_ERROR.
 */
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
  type Check,
  type Logger,
  type ServiceMetrics,
  type SubgraphTrustOptions,
  type Tracing,
} from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { GraphQLError, parse } from "graphql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { toGraphQLError, UpstreamError } from "./upstreamError.ts";

export interface AdapterSubgraphOptions<C extends object> {
  /** The subgraph's name in schema/subgraphs.json; its SDL is served. */
  readonly name: string;
  readonly resolvers: GraphQLResolverMap<C>;
  /** A fresh context per request (its DataLoaders batch that request's lookups). */
  readonly context: () => C;
  /** Readiness checks for GET /ready, e.g. the upstream answers. @default {} */
  readonly ready?: Readonly<Record<string, Check>>;
  /** GraphiQL on GET /graphql; never with `gatewayTrust` (only the gateway may call). @default true */
  readonly graphiql?: boolean;
  /**
   * Where the gateway's keys are: every GraphQL request must then carry its caller assertion with `aud` = `name`, and
   * GraphiQL is off (yoga serves it before any plugin could refuse it). @default undefined: no check
   */
  readonly gatewayTrust?: SubgraphTrustOptions | undefined;
  /** Metrics served at GET /metrics. @default a registry of its own, labelled with `name` */
  readonly metrics?: ServiceMetrics;
  /** A SERVER span per request, continuing the gateway's traceparent. @default undefined: off, no plugin */
  readonly tracing?: Tracing | undefined;
  readonly logger: Logger;
}

export type AdapterYoga<C extends object> = YogaServerInstance<Record<string, never>, C>;

export function createAdapterSubgraph<C extends object>(options: AdapterSubgraphOptions<C>): AdapterYoga<C> {
  const { logger } = options;
  const schema = buildSubgraphSchema({
    typeDefs: parse(subgraphSdl(options.name)),
    // The library types resolver maps with an unknown context; ours is typed C.
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const trust = options.gatewayTrust === undefined ? undefined : createGatewayTrust({ ...options.gatewayTrust, audience: options.name, logger });
  const mask = createMaskError((err) => logger.error({ err }, "unexpected error in a resolver"));
  return createYoga<Record<string, never>, C>({
    schema,
    graphiql: trust === undefined && (options.graphiql ?? true),
    landingPage: false,
    healthCheckEndpoint: "/.well-known/yoga/health",
    logging: false,
    maskedErrors: {
      maskError(error) {
        const original = error instanceof GraphQLError ? error.originalError : undefined;
        if (error instanceof GraphQLError && original instanceof UpstreamError) {
          return mask(new GraphQLError(error.message, { nodes: error.nodes ?? null, path: error.path ?? null, originalError: toGraphQLError(original) }));
        }
        return mask(error);
      },
    },
    context: () => options.context(),
    plugins: [
      // First: the request's span is active while every other plugin and resolver runs.
      ...(options.tracing === undefined ? [] : [useTracing(options.tracing)]),
      // Before the gateway check: /metrics is for the operators' scraper, not the gateway.
      useMetrics(options.metrics ?? createServiceMetrics(options.name)),
      ...(trust === undefined ? [] : [trust.plugin]),
      useInputErrorCodes(),
      // Where input enters: no value nested deeper than 32, no NUL in any string (inputLimits.ts).
      useInputLimits(),
      useHealth({ ...options.ready }),
    ],
  });
}
