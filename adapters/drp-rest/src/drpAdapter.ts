/** The DRP adapter: the `drp` subgraph over the DRP legacy REST service, as a definition the adapter kit builds. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineLegacyAdapter, type LegacyAdapter, type LegacyAdapterOptions, type LegacyClientParts } from "@ndx/adapter-kit";
import { subgraphSdl } from "@ndx/schema";
import { drpConfig } from "./config.ts";
import { createContext, type DrpContext } from "./context.ts";
import { createDrpClient } from "./drpClient.ts";
import { resolvers } from "./resolvers.ts";

export const drpMappingFile: string = resolve(import.meta.dirname, "mapping.json");

/**
 * What the adapter serves: the published contract and, ahead of it, fields its legacy record already holds
 * (ahead.graphql), readable through the gateway once the schema registry activates a drp version that declares them.
 */
export const drpServedSdl = `${subgraphSdl("drp")}\n${readFileSync(resolve(import.meta.dirname, "ahead.graphql"), "utf8")}`;

/** The DRP's own options; the kit's are in LegacyAdapterOptions. */
export interface DrpOptions {
  readonly apiKey: string;
  /** @default 100 */
  readonly batchSize?: number;
}

export type DrpAdapterOptions = LegacyAdapterOptions<DrpOptions>;

export type DrpAdapter = LegacyAdapter<DrpContext>;

export const drpAdapter = defineLegacyAdapter({
  name: "drp",
  service: "drp-rest",
  sdl: drpServedSdl,
  mapping: drpMappingFile,
  connections: 16,
  // The DRP answers when its OpenAPI document does (no credentials, no counted call).
  readinessPath: "openapi.json",
  client: ({ http, upstream, cache, options }: LegacyClientParts<DrpOptions>) => ({ drp: createDrpClient({ http, upstream, apiKey: options.apiKey }), cache }),
  context: ({ drp, cache }, mapper, options) => createContext(drp, cache, mapper, options.batchSize ?? 100),
  resolvers,
  config: {
    ...drpConfig,
    options: (config) => ({ apiKey: config.DRP_LEGACY_API_KEY, batchSize: config.DRP_LEGACY_BATCH_SIZE }),
  },
});

export const createDrpAdapter = drpAdapter.create;
export const loadDrpAdapterConfig = drpAdapter.loadConfig;
