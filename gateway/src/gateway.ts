/**
 * The gateway: graphql-yoga hosting `@apollo/gateway` over the composed supergraph. Each subgraph is called at its
 * configured URL; the query planner runs independent fetches in parallel. With `supergraphUpdates` the supergraph is
 * swapped without a restart (`@apollo/gateway`'s supergraph manager, `update`): requests in flight finish on the plan
 * they took, and each schema served is told to `snapshots` with its SDL (the access decision's catalogue).
 */
import { ApolloGateway } from "@apollo/gateway";
import { useApolloFederation } from "@envelop/apollo-federation";
import {
  createMaskError,
  httpProbe,
  maskRequestErrors,
  useHealth,
  useInputErrorCodes,
  useMetrics,
  useTracing,
  type CallerAssertionSigner,
  type Check,
  type Logger,
  type ServiceMetrics,
  type Tracing,
} from "@ndx/platform";
import type { GatewayMetrics } from "./gatewayMetrics.ts";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { useJwks } from "./jwks.ts";
import { corsPolicy, useVaryByOrigin } from "./cors.ts";
import { requestLimitPlugins, type RequestLimits } from "./requestLimits.ts";
import { createSubgraphSource, type SubgraphSource } from "./subgraphSource.ts";
import { subgraphRoutes, type SubgraphRoute } from "./supergraph.ts";
import { useSupergraphExecution } from "./supergraphExecution.ts";
import { createSupergraphSnapshots, type SupergraphSnapshots } from "./supergraphSnapshots.ts";
import { useSchemaVersions, type ServedSupergraph } from "./supergraphVersions.ts";

export interface GatewayOptions {
  /** The composed supergraph SDL. */
  readonly supergraphSdl: string;
  /** Subgraph name → URL, overriding the URLs composed into the supergraph. @default {} */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** GraphiQL at GET /graphql. @default true */
  readonly graphiql?: boolean;
  /** Per-subgraph request timeout in ms. @default 10000 */
  readonly subgraphTimeoutMs?: number;
  readonly logger: Logger;
  /** Extra yoga/envelop plugins, run before execution (the access plugin arrives here). @default [] */
  readonly plugins?: readonly Plugin[];
  /**
   * Signs each request's caller assertion to each subgraph (they answer only the gateway), and its public keys are
   * served at GET /.well-known/jwks.json. @default undefined: no credential sent, no JWKS served
   */
  readonly assertions?: CallerAssertionSigner | undefined;
  /** The service's metrics registry: GET /metrics, request durations and subgraph calls. @default none */
  readonly metrics?: { readonly service: ServiceMetrics; readonly gateway: GatewayMetrics } | undefined;
  /** Request protection limits. @default the defaults of RequestLimits */
  readonly limits?: RequestLimits;
  /** Browser origins allowed to call with credentials (CORS); others get no Access-Control-Allow-* header. @default [] */
  readonly corsOrigins?: readonly string[];
  /** Extra readiness checks for GET /ready (e.g. the database). @default {} */
  readonly readiness?: Readonly<Record<string, Check>>;
  /** OpenTelemetry: a SERVER span per request, a CLIENT span per subgraph call. @default undefined: off, no plugin */
  readonly tracing?: Tracing | undefined;
  /** New supergraphs to swap to (the schema registry's activations). @default undefined: `supergraphSdl` for good */
  readonly supergraphUpdates?: { subscribe(listener: (supergraphSdl: string) => void): () => void } | undefined;
  /** Told of each schema served with its SDL; the access plugin decides with the same snapshot. @default its own */
  readonly snapshots?: SupergraphSnapshots | undefined;
  /** What GET /schema/versions answers. @default the hash of the schema served, from the file */
  readonly served?: (() => ServedSupergraph) | undefined;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  readonly routes: readonly SubgraphRoute[];
  close(): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, subgraphTimeoutMs = 10_000 } = options;
  const routes = subgraphRoutes(options.supergraphSdl, options.subgraphUrls);
  const urlOf = new Map(routes.map((r) => [r.name, r.url]));
  const sources: SubgraphSource[] = [];
  const snapshots = options.snapshots ?? createSupergraphSnapshots();
  const updates = options.supergraphUpdates;
  const gateway = new ApolloGateway({
    supergraphSdl:
      updates === undefined
        ? options.supergraphSdl
        : async ({ update }) => {
            const stop = updates.subscribe((sdl) => {
              try {
                update(sdl);
              } catch (err) {
                logger.error({ err }, "the new supergraph cannot be served; the one held stays");
              }
            });
            return { supergraphSdl: options.supergraphSdl, cleanup: async () => stop() };
          },
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.info(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
    buildService: ({ name, url }) => {
      const source = createSubgraphSource({
        name,
        url: urlOf.get(name) ?? options.subgraphUrls?.[name] ?? url ?? "",
        timeoutMs: subgraphTimeoutMs,
        logger,
        assertions: options.assertions,
        ...(options.metrics === undefined ? {} : { onCall: options.metrics.gateway.upstream }),
        tracing: options.tracing,
      });
      sources.push(source);
      return source;
    },
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const { hash } = snapshots.add(apiSchema, coreSupergraphSdl);
    logger.info({ hash }, "serving supergraph");
  });
  await gateway.load();
  const initial = snapshots.of(gateway.schema as NonNullable<typeof gateway.schema>);
  const served = options.served ?? (() => ({ hash: initial?.hash ?? "", position: 0, versions: {}, activatedAt: null, source: "file" as const }));

  const yoga = createYoga<Record<string, unknown>>({
    graphiql: options.graphiql ?? true,
    landingPage: false,
    healthCheckEndpoint: "/.well-known/yoga/health",
    logging: false,
    // The body's limit is requestLimitPlugins' useBodyLimit (a Content-Length is enough); yoga's own would pipe every
    // body through a counting stream as well.
    maxRequestBodySize: false,
    cors: corsPolicy(options.corsOrigins ?? []),
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, "unexpected error in the gateway")) },
    // An endpoint beside GraphQL (the audit API, the reports …) that fails unexpectedly answers 500 without its stack.
    plugins: maskRequestErrors([
      // First: its span is active around everything the other plugins do, the access decision included.
      ...(options.tracing === undefined ? [] : [useTracing(options.tracing)]),
      ...(options.metrics === undefined ? [] : [useMetrics(options.metrics.service)]),
      ...(options.assertions === undefined ? [] : [useJwks(options.assertions.jwks)]),
      useInputErrorCodes(),
      useHealth({
        ...options.readiness,
        ...Object.fromEntries(routes.map((r) => [`subgraph:${r.name}`, httpProbe(new URL("/health", r.url))])),
      }),
      useVaryByOrigin(),
      useSchemaVersions(served),
      ...requestLimitPlugins(options.limits),
      ...(options.plugins ?? []),
      useApolloFederation({ gateway, logger }),
      useSupergraphExecution(gateway, snapshots, logger),
    ], (err) => logger.error({ err }, "unexpected error in a request handler")),
  });

  return {
    yoga,
    routes,
    async close() {
      await gateway.stop();
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}
