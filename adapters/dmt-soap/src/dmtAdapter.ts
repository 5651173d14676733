/** The DMT adapter: the `dmt` subgraph over the DMT legacy SOAP service. */
import { resolve } from "node:path";
import {
  createAdapterSubgraph,
  createHttpUpstream,
  createMapper,
  createSoapUpstream,
  createUpstream,
  loadMapping,
  type AdapterCommonOptions,
  type AdapterYoga,
  type Upstream,
} from "@ndx/adapter-kit";
import { createServiceMetrics, type ServiceMetrics } from "@ndx/platform";
import { subgraphSdl } from "@ndx/schema";
import { createContext, type DmtContext } from "./context.ts";
import { createDmtClient, dmtEndpointPath, dmtFaultKind } from "./dmtClient.ts";
import { resolvers } from "./resolvers.ts";

export const dmtMappingFile: string = resolve(import.meta.dirname, "mapping.json");

export interface DmtAdapterOptions extends AdapterCommonOptions {
  /** Base URL of the DMT legacy SOAP service (the endpoint is <base>/dmt). */
  readonly baseUrl: string;
  /** WS-Security UsernameToken. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** DMT calls in flight at most, per request. @default 4 */
  readonly concurrency?: number;
  /** @default 8 */
  readonly connections?: number;
}

export interface DmtAdapter {
  readonly yoga: AdapterYoga<DmtContext>;
  readonly upstream: Upstream;
  /** What GET /metrics serves. */
  readonly metrics: ServiceMetrics;
  close(): Promise<void>;
}

export function createDmtAdapter(options: DmtAdapterOptions): DmtAdapter {
  const { logger } = options;
  const mapper = createMapper(loadMapping(dmtMappingFile), subgraphSdl("dmt"));
  const provider = mapper.mapping.provider;
  const http = createHttpUpstream({ provider, baseUrl: options.baseUrl, connections: options.connections ?? 8, tracing: options.tracing });
  const soap = createSoapUpstream({ provider, http, path: dmtEndpointPath, security: options.credentials, faultKind: dmtFaultKind });
  const metrics = options.metrics ?? createServiceMetrics("dmt");
  const upstream = createUpstream({
    provider,
    logger,
    metrics,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
  });
  const client = createDmtClient({ soap, upstream });
  const concurrency = options.concurrency ?? 4;
  const yoga = createAdapterSubgraph<DmtContext>({
    name: "dmt",
    resolvers,
    context: () => createContext(client, mapper, concurrency),
    ready: { dmt: () => probe(new URL(`${dmtEndpointPath.slice(1)}?wsdl`, options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`)) },
    logger,
    metrics,
    tracing: options.tracing,
    gatewayTrust: options.gatewayTrust,
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
  });
  return { yoga, upstream, metrics, close: () => http.close() };
}

/** The DMT answers when its WSDL does (no credentials, no counted call). */
async function probe(url: URL): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`DMT answered HTTP ${response.status}`);
}
