import { resolve } from "node:path";
import { loadConfig, setting, type Setting } from "@ndx/platform";
import { listSubgraphs, supergraphFile } from "@ndx/schema";

/** `REGISTRY_URL`, `DRP_REST_URL`, ...: the run-time URL of each subgraph, overriding the supergraph's default. */
export function subgraphUrlVariable(name: string): string {
  return `${name.toUpperCase().replaceAll(/[^A-Z0-9]/g, "_")}_URL`;
}

const base = {
  /** @default 4000 */
  PORT: setting.port(4000),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** The composed supergraph. @default "schema/supergraph.graphql" */
  SUPERGRAPH_FILE: setting.string(supergraphFile),
  /** GraphiQL at GET /graphql for developers. @default true */
  GRAPHIQL: setting.bool(true),
  /** Per-subgraph request timeout. @default 10000 */
  SUBGRAPH_TIMEOUT_MS: setting.int(10_000, { min: 100, max: 120_000 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
};

export interface GatewayConfig {
  readonly PORT: number;
  readonly HOST: string;
  readonly SUPERGRAPH_FILE: string;
  readonly GRAPHIQL: boolean;
  readonly SUBGRAPH_TIMEOUT_MS: number;
  readonly LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Subgraph name → URL, for those overridden. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const urls: Record<string, Setting<string | undefined>> = {};
  for (const s of listSubgraphs()) urls[subgraphUrlVariable(s.name)] = setting.optionalUrl();
  const parsed = loadConfig(base, env);
  const overrides = loadConfig(urls, env);
  const subgraphUrls: Record<string, string> = {};
  for (const s of listSubgraphs()) {
    const url = overrides[subgraphUrlVariable(s.name)];
    if (url !== undefined) subgraphUrls[s.name] = url;
  }
  return {
    PORT: parsed.PORT,
    HOST: parsed.HOST,
    SUPERGRAPH_FILE: resolve(parsed.SUPERGRAPH_FILE),
    GRAPHIQL: parsed.GRAPHIQL,
    SUBGRAPH_TIMEOUT_MS: parsed.SUBGRAPH_TIMEOUT_MS,
    LOG_LEVEL: parsed.LOG_LEVEL,
    subgraphUrls,
  };
}
