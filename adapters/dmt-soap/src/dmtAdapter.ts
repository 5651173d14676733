/** The DMT adapter: the `dmt` subgraph over the DMT legacy SOAP service, as a definition the adapter kit builds. */
import { resolve } from "node:path";
import { createSoapUpstream, defineLegacyAdapter, type LegacyAdapter, type LegacyAdapterOptions, type LegacyClientParts } from "@ndx/adapter-kit";
import { subgraphSdl } from "@ndx/schema";
import { dmtConfig } from "./config.ts";
import { createContext, type DmtContext } from "./context.ts";
import { createDmtClient, dmtEndpointPath, dmtFaultKind } from "./dmtClient.ts";
import { resolvers } from "./resolvers.ts";

export const dmtMappingFile: string = resolve(import.meta.dirname, "mapping.json");

/** The DMT's own options; the kit's are in LegacyAdapterOptions (baseUrl: the endpoint is <base>/dmt). */
export interface DmtOptions {
  /** WS-Security UsernameToken. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** DMT calls in flight at most, per request. @default 4 */
  readonly concurrency?: number;
}

export type DmtAdapterOptions = LegacyAdapterOptions<DmtOptions>;

export type DmtAdapter = LegacyAdapter<DmtContext>;

export const dmtAdapter = defineLegacyAdapter({
  name: "dmt",
  service: "dmt-soap",
  sdl: subgraphSdl("dmt"),
  mapping: dmtMappingFile,
  connections: 8,
  // The DMT answers when its WSDL does (no credentials, no counted call).
  readinessPath: `${dmtEndpointPath.slice(1)}?wsdl`,
  client: ({ http, upstream, cache, options }: LegacyClientParts<DmtOptions>) =>
    createDmtClient({
      soap: createSoapUpstream({ provider: upstream.provider, http, path: dmtEndpointPath, security: options.credentials, faultKind: dmtFaultKind }),
      upstream,
      cache,
    }),
  context: (client, mapper, options) => createContext(client, mapper, options.concurrency ?? 4),
  resolvers,
  config: {
    ...dmtConfig,
    options: (config) => ({
      credentials: { username: config.DMT_LEGACY_USERNAME, password: config.DMT_LEGACY_PASSWORD },
      concurrency: config.DMT_LEGACY_CONCURRENCY,
    }),
  },
});

export const createDmtAdapter = dmtAdapter.create;
export const loadDmtAdapterConfig = dmtAdapter.loadConfig;
