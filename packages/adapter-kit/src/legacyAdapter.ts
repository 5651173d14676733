/**
 * One way to build an adapter: an agency is a definition — its SDL, mapping, client, per-request context, resolvers
 * and settings — and `defineLegacyAdapter` makes of it what a process needs (`start(env)`) and what a test needs
 * (`create(options)`, in-process). Everything else is the kit's and the platform's, the same for every agency: the
 * keep-alive HTTP pool, the resilient upstream (timeout, retries with backoff, circuit breaker, metrics), the subgraph
 * server (gateway trust, input limits, health, NDX error masking) with UpstreamErrors named by provider, a /ready
 * probe of an endpoint that needs no credentials, the cache of legacy answers with identical calls merged in flight
 * (legacyCache.ts), purged by the registry's change feed (registryEvents.ts), and the configuration
 * (legacyAdapterConfig.ts).
 */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { createServiceMetrics, createSubgraphServer, httpProbe, listen, loadShutdownConfig, runService, startTelemetry, type ServiceMetrics, type SubgraphYoga } from "@ndx/platform";
import type { AdapterCommonOptions } from "./adapterOptions.ts";
import { createHttpUpstream, type HttpUpstream } from "./httpUpstream.ts";
import { loadLegacyAdapterConfig, type LegacyAdapterConfig, type LegacyConfigDefinition, type RegistryEventsConfig } from "./legacyAdapterConfig.ts";
import { createLegacyCache, type LegacyCache } from "./legacyCache.ts";
import { createMapper, loadMapping, parseMapping, type Mapper, type Mapping } from "./mapping.ts";
import { followRegistryEvents } from "./registryEvents.ts";
import { createUpstream, type Upstream } from "./upstream.ts";
import { toGraphQLError, UpstreamError } from "./upstreamError.ts";

export type AdapterYoga<C extends object> = SubgraphYoga<C>;

/** What `create` takes: the kit's settings, the upstream's address, and the agency's own options (`Own`). */
export type LegacyAdapterOptions<Own extends object> = AdapterCommonOptions &
  Own & {
    /** The agency's legacy service (its base URL). */
    readonly baseUrl: string;
    /** Keep-alive connections to it. @default the definition's `connections` */
    readonly connections?: number;
    /** Answers kept (ms) and how many; identical calls in flight are merged whatever these say. @default none kept */
    readonly cache?: { readonly ttlMs: number; readonly emptyTtlMs?: number; readonly maxEntries?: number; readonly now?: () => number };
    /** The registry's change feed that purges the cache; while it is behind the cache is not used. @default none: TTL alone */
    readonly registryEvents?: RegistryEventsConfig | undefined;
  };

/** The kit's parts an agency's client is built on. */
export interface LegacyClientParts<Own extends object> {
  /** The keep-alive pool to the upstream (SOAP agencies wrap it with createSoapUpstream). */
  readonly http: HttpUpstream;
  /** Timeout, retries and circuit breaker: every call goes through `upstream.call`. */
  readonly upstream: Upstream;
  /** Every read goes through `cache.get` (kept answers, identical calls in flight merged): keyed by `legacyKey`. */
  readonly cache: LegacyCache;
  readonly options: LegacyAdapterOptions<Own>;
}

export interface LegacyAdapterDefinition<Own extends object, Client, C extends object, P extends string, Spec, S extends string> {
  /** The subgraph's name in the supergraph (schema/subgraphs.json), e.g. "drp". */
  readonly name: string;
  /** The process's name in logs and traces, e.g. "drp-rest". */
  readonly service: string;
  /** The subgraph's SDL: pass `subgraphSdl(name)` from `@ndx/schema` (the contract). */
  readonly sdl: string;
  /** The declarative field mapping: mapping.json's path, or the mapping itself; checked against `sdl` at creation. */
  readonly mapping: string | Mapping;
  /** Keep-alive connections to the upstream when neither the options nor the environment say. */
  readonly connections: number;
  /** A path under the upstream's base URL that answers without credentials and is no counted call: GET /ready probes it. */
  readonly readinessPath: string;
  /** The agency's client on the kit's parts: one function per upstream call, each through `upstream.call`. */
  client(parts: LegacyClientParts<Own>): Client;
  /** A fresh per-request context: its DataLoaders batch one request's lookups. */
  context(client: Client, mapper: Mapper, options: LegacyAdapterOptions<Own>): C;
  readonly resolvers: GraphQLResolverMap<C>;
  /** The environment the process reads: the upstream's prefix and defaults, secrets, the agency's own settings. */
  readonly config: LegacyConfigDefinition<P, Spec, S> & {
    /** The agency's own options from its settings (the kit's settings it maps itself). */
    options(config: LegacyAdapterConfig<P, Spec, S>): Own;
  };
}

export interface LegacyAdapter<C extends object> {
  readonly yoga: AdapterYoga<C>;
  readonly upstream: Upstream;
  readonly cache: LegacyCache;
  /** What GET /metrics serves. */
  readonly metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface LegacyAdapterKind<Own extends object, C extends object, P extends string, Spec, S extends string> {
  readonly name: string;
  /** The adapter in this process (tests, a whole system in one process). */
  create(options: LegacyAdapterOptions<Own>): LegacyAdapter<C>;
  /** Reads the environment once; throws a ConfigError naming every bad variable. */
  loadConfig(env: Readonly<Record<string, string | undefined>>): LegacyAdapterConfig<P, Spec, S>;
  /** The process (main.ts): configuration from `env`, telemetry, the subgraph listening until a signal stops it. */
  start(env: Readonly<Record<string, string | undefined>>): Promise<void>;
}

export function defineLegacyAdapter<Own extends object, Client, C extends object, P extends string, Spec = Record<never, never>, S extends string = never>(
  definition: LegacyAdapterDefinition<Own, Client, C, P, Spec, S>,
): LegacyAdapterKind<Own, C, P, Spec, S> {
  const { name } = definition;

  function create(options: LegacyAdapterOptions<Own>): LegacyAdapter<C> {
    const { logger } = options;
    const mapping = typeof definition.mapping === "string" ? loadMapping(definition.mapping) : parseMapping(definition.mapping);
    const mapper = createMapper(mapping, definition.sdl);
    const provider = mapper.mapping.provider;
    const connections = options.connections ?? definition.connections;
    const http = createHttpUpstream({ provider, baseUrl: options.baseUrl, connections, tracing: options.tracing });
    const metrics = options.metrics ?? createServiceMetrics(name);
    const upstream = createUpstream({
      provider,
      logger,
      metrics,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
    });
    const { registryEvents } = options;
    const cache = createLegacyCache({
      provider,
      ...options.cache,
      metrics,
      // With a feed, kept answers are used only while its purges are up to date.
      ...(registryEvents === undefined ? {} : { usable: () => feed?.current() === true }),
    });
    const feed =
      registryEvents === undefined
        ? undefined
        : followRegistryEvents({
            ...registryEvents,
            logger: logger.child({ provider }),
            purge: (nic) => cache.purge(nic),
            purgeAll: () => cache.purgeAll(),
          });
    const client = definition.client({ http, upstream, cache, options });
    const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    const yoga = createSubgraphServer<C>({
      name,
      sdl: definition.sdl,
      resolvers: definition.resolvers,
      context: () => definition.context(client, mapper, options),
      ready: { [name]: httpProbe(new URL(definition.readinessPath, base), { name: provider.toUpperCase() }) },
      // The upstream's failures as NDX errors naming the provider, never its body.
      nameError: (error) => (error instanceof UpstreamError ? toGraphQLError(error) : undefined),
      gatewayTrust: options.gatewayTrust,
      ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
      metrics,
      tracing: options.tracing,
      logger,
    });
    return {
      yoga,
      upstream,
      cache,
      metrics,
      close: () => {
        feed?.close();
        return http.close();
      },
    };
  }

  const loadConfig = (env: Readonly<Record<string, string | undefined>>) =>
    loadLegacyAdapterConfig(definition.config, definition.service, definition.connections, env);

  async function start(env: Readonly<Record<string, string | undefined>>): Promise<void> {
    const config = loadConfig(env);
    const shutdown = loadShutdownConfig(env);
    // Decided once: with tracing off nothing is installed and no span is made.
    const { logger, tracing } = startTelemetry(definition.service, config.LOG_LEVEL, config.tracing);
    await runService(definition.service, logger, async () => {
      const { upstream } = config;
      const adapter = create({
        ...definition.config.options(config),
        baseUrl: upstream.url,
        timeoutMs: upstream.timeoutMs,
        retries: upstream.retries,
        breaker: { failureThreshold: upstream.breakerFailures, resetAfterMs: upstream.breakerResetMs },
        connections: upstream.connections,
        cache: config.cache,
        registryEvents: config.registryEvents,
        gatewayTrust: config.gatewayTrust,
        tracing,
        logger,
      });
      const http = await listen(adapter.yoga, config.PORT, config.HOST, shutdown);
      logger.info(
        { url: `${http.url}/graphql`, upstream: upstream.url, cacheTtlMs: config.cache.ttlMs, purgedBy: config.registryEvents?.url ?? "TTL alone" },
        `${name.toUpperCase()} adapter subgraph listening`,
      );
      return {
        async close() {
          await http.close();
          await adapter.close();
          await tracing?.shutdown();
        },
      };
    }, shutdown);
  }

  return { name, create, loadConfig, start };
}
