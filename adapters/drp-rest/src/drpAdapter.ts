/** The DRP adapter: the `drp` subgraph over the DRP legacy REST service. */
import { resolve } from "node:path";
import {
  createAdapterSubgraph,
  createHttpUpstream,
  createMapper,
  createUpstream,
  loadMapping,
  type AdapterCommonOptions,
  type AdapterYoga,
  type Upstream,
} from "@ndx/adapter-kit";
import { createServiceMetrics, type ServiceMetrics } from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { createContext, type DrpContext } from "./context.ts";
import { createDrpClient } from "./drpClient.ts";
import { resolvers } from "./resolvers.ts";

export const drpMappingFile: string = resolve(import.meta.dirname, "mapping.json");

export interface DrpAdapterOptions extends AdapterCommonOptions {
  /** The DRP legacy REST service. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** @default 16 */
  readonly connections?: number;
  /** @default 100 */
  readonly batchSize?: number;
}

export interface DrpAdapter {
  readonly yoga: AdapterYoga<DrpContext>;
  readonly upstream: Upstream;
  /** What GET /metrics serves. */
  readonly metrics: ServiceMetrics;
  close(): Promise<void>;
}

export function createDrpAdapter(options: DrpAdapterOptions): DrpAdapter {
  const { logger } = options;
  const mapper = createMapper(loadMapping(drpMappingFile), subgraphSdl("drp"));
  const provider = mapper.mapping.provider;
  const http = createHttpUpstream({ provider, baseUrl: options.baseUrl, connections: options.connections ?? 16, tracing: options.tracing });
  const metrics = options.metrics ?? createServiceMetrics("drp");
  const upstream = createUpstream({
    provider,
    logger,
    metrics,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
  });
  const client = createDrpClient({ http, upstream, apiKey: options.apiKey });
  const batchSize = options.batchSize ?? 100;
  const yoga = createAdapterSubgraph<DrpContext>({
    name: "drp",
    resolvers,
    context: () => createContext(client, mapper, batchSize),
    ready: { drp: () => probe(new URL("openapi.json", withSlash(options.baseUrl))) },
    logger,
    metrics,
    tracing: options.tracing,
    gatewayTrust: options.gatewayTrust,
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
  });
  return { yoga, upstream, metrics, close: () => http.close() };
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The DRP answers when its OpenAPI document does (no credentials, no counted call). */
async function probe(url: URL): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`DRP answered HTTP ${response.status}`);
}
