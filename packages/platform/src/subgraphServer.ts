/**
 * Every NDX subgraph (the registry, each adapter, the next ones) as one graphql-yoga app over `@apollo/subgraph`, its
 * plugins in one order:
 *
 * 1. tracing (optional): the request's SERVER span is active while everything after it runs;
 * 2. GET /metrics: for the operators' scraper, before the gateway check;
 * 3. `openPlugins`: paths that hold a credential of their own (the registry's outbox feed), before the gateway check;
 * 4. the gateway's caller assertion (gatewayTrust.ts): only the gateway may call;
 * 5. input error codes, the body's size and input limits (inputErrors.ts, bodyLimit.ts, inputLimits.ts):
 *    BAD_USER_INPUT where input enters;
 * 6. JSON /health and /ready with the subgraph's readiness checks.
 *
 * Errors are masked the NDX way (errors.ts), those of the plugins' own endpoints too (requestErrors.ts); a subgraph that names its own failures (an adapter's upstream errors)
 * passes `nameError`. GraphiQL is off whenever the gateway check is on (yoga serves it before any plugin could
 * refuse it), and yoga's landing page and logging are off.
 */
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { GraphQLError, parse } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { createMaskError } from "./errors.ts";
import { maskRequestErrors } from "./requestErrors.ts";
import { createGatewayTrust, type ForwardedCaller, type SubgraphTrustOptions } from "./gatewayTrust.ts";
import { useHealth, type Check } from "./health.ts";
import { useBodyLimit } from "./bodyLimit.ts";
import { useInputErrorCodes } from "./inputErrors.ts";
import { useInputLimits } from "./inputLimits.ts";
import type { Logger } from "./logger.ts";
import { createServiceMetrics, useMetrics, type ServiceMetrics } from "./metrics.ts";
import { useTracing } from "./tracedServers.ts";
import type { Tracing } from "./tracing.ts";

export interface SubgraphServerOptions<C extends object> {
  /** The subgraph's name in the supergraph: the `aud` its caller assertions must carry, its metrics' `service`. */
  readonly name: string;
  /** The subgraph's SDL (from `@ndx/schema`'s `subgraphSdl(name)`, the contract). */
  readonly sdl: string;
  readonly resolvers: GraphQLResolverMap<C>;
  /** A fresh context per request, given the request and the caller its verified assertion names (undefined: none). */
  readonly context: (request: { readonly request: Request; readonly caller: ForwardedCaller | undefined }) => C;
  /** Readiness checks for GET /ready, e.g. the database or the upstream answers. @default {} */
  readonly ready?: Readonly<Record<string, Check>>;
  /** GraphiQL on GET /graphql; never with `gatewayTrust` (only the gateway may call). @default true */
  readonly graphiql?: boolean;
  /**
   * Where the gateway's keys are: every GraphQL request must then carry its caller assertion with `aud` = `name`.
   * @default undefined: no check and no caller (tests of the subgraph alone)
   */
  readonly gatewayTrust?: SubgraphTrustOptions | undefined;
  /** Plugins answering paths of their own, each with its own credential, before the gateway check. @default [] */
  readonly openPlugins?: readonly Plugin[];
  /**
   * The NDX error of an error a resolver threw that this subgraph knows (an adapter's UpstreamError); undefined
   * for any other, which is masked as usual. @default undefined: none
   */
  readonly nameError?: ((error: Error) => GraphQLError | undefined) | undefined;
  /**
   * Largest request body. The gateway's requests carry a query plan's fetch (with the entities' keys), not a client's
   * body, so this is generous. @default 4194304 (4 MiB)
   */
  readonly maxBodyBytes?: number;
  /** Metrics served at GET /metrics. @default a registry of its own, labelled with `name` */
  readonly metrics?: ServiceMetrics | undefined;
  /** A SERVER span per request, continuing the gateway's traceparent. @default undefined: off, no plugin */
  readonly tracing?: Tracing | undefined;
  readonly logger: Logger;
}

export type SubgraphYoga<C extends object> = YogaServerInstance<Record<string, never>, C>;

export function createSubgraphServer<C extends object>(options: SubgraphServerOptions<C>): SubgraphYoga<C> {
  const { logger, nameError } = options;
  const schema = buildSubgraphSchema({
    typeDefs: parse(options.sdl),
    // The library types resolver maps with an unknown context; ours is typed C.
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const trust = options.gatewayTrust === undefined ? undefined : createGatewayTrust({ ...options.gatewayTrust, audience: options.name, logger });
  const mask = createMaskError((err) => logger.error({ err }, "unexpected error in a resolver"));
  return createYoga<Record<string, never>, C>({
    schema,
    // Yoga serves GraphiQL before any plugin runs, so it could not be refused: off whenever only the gateway may call.
    graphiql: trust === undefined && (options.graphiql ?? true),
    landingPage: false,
    // Our useHealth answers /health and /ready with JSON; keep yoga's own probe off those paths.
    healthCheckEndpoint: "/.well-known/yoga/health",
    logging: false,
    // useBodyLimit below limits the body; yoga's own would pipe every body through a counting stream (bodyLimit.ts).
    maxRequestBodySize: false,
    maskedErrors: {
      maskError(error) {
        const original = error instanceof GraphQLError ? error.originalError : undefined;
        const named = original instanceof Error && nameError !== undefined ? nameError(original) : undefined;
        if (error instanceof GraphQLError && named !== undefined) {
          return mask(new GraphQLError(error.message, { nodes: error.nodes ?? null, path: error.path ?? null, originalError: named }));
        }
        return mask(error);
      },
    },
    context: ({ request }) => options.context({ request, caller: trust?.callerOf(request) }),
    // An endpoint that fails unexpectedly answers 500 without its stack (requestErrors.ts).
    plugins: maskRequestErrors([
      // First: the request's span is active while every other plugin and resolver runs.
      ...(options.tracing === undefined ? [] : [useTracing(options.tracing)]),
      // Before the gateway check: /metrics is for the operators' scraper, not the gateway.
      useMetrics(options.metrics ?? createServiceMetrics(options.name)),
      ...(options.openPlugins ?? []),
      ...(trust === undefined ? [] : [trust.plugin]),
      useInputErrorCodes(),
      useBodyLimit(options.maxBodyBytes ?? 4 * 1024 * 1024),
      // Where input enters: no value nested deeper than 32, no NUL in any string (inputLimits.ts).
      useInputLimits(),
      useHealth({ ...options.ready }),
    ], (err) => logger.error({ err }, "unexpected error in a request handler")),
  });
}
