/**
 * The configuration files of the Hive peers: where the subgraphs are and the credential they require (a long-lived
 * caller assertion per subgraph, signed by the bench, since neither peer has a signer), nothing else (no plugins).
 *
 * - Hive Gateway: `transportEntries`; with the Rust query planner also `unifiedGraphHandler` from
 *   `@graphql-hive/router-runtime` (its planner is a prebuilt native addon inside the npm package).
 * - Hive Router: its JSON config (`ROUTER_CONFIG_FILE_PATH`): the supergraph file, the listen address, subgraph URL
 *   overrides and a header inserted per subgraph.
 */
import { existsSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { benchAssertion } from "./ndx.ts";

/** The subgraphs the measured queries reach, by their name in the supergraph, and where each one is. */
export type SubgraphLocations = Readonly<Record<"registry" | "drp" | "dmt", string>>;

async function credentials(locations: SubgraphLocations): Promise<[name: string, location: string, authorization: string][]> {
  return Promise.all(Object.entries(locations).map(async ([name, location]) => [name, location, `Bearer ${await benchAssertion(name)}`] as [string, string, string]));
}

/** Hive Gateway's config module; `rustPlanner` adds the Rust query planner. Returns its path. */
export async function writeHiveGatewayConfig(dir: string, locations: SubgraphLocations, rustPlanner: boolean): Promise<string> {
  const file = join(dir, rustPlanner ? "hive-gateway-rust.config.mjs" : "hive-gateway.config.mjs");
  const entries = Object.fromEntries((await credentials(locations)).map(([name, location, authorization]) => [name, { location, headers: [["authorization", authorization]] }]));
  const config = JSON.stringify({ transportEntries: entries }, null, 2);
  const text = rustPlanner
    ? `import { unifiedGraphHandler } from ${JSON.stringify(import.meta.resolve("@graphql-hive/router-runtime"))};\n` +
      `export const gatewayConfig = { ...${config}, unifiedGraphHandler };\n`
    : `export const gatewayConfig = ${config};\n`;
  writeFileSync(file, text);
  return file;
}

/** Hive Router's config file. Returns its path. */
export async function writeHiveRouterConfig(dir: string, supergraphFile: string, port: number, locations: SubgraphLocations): Promise<string> {
  const file = join(dir, "hive-router.config.json");
  const subgraphs = await credentials(locations);
  const config = {
    supergraph: { source: "file", path: supergraphFile },
    http: { host: "127.0.0.1", port },
    override_subgraph_urls: { subgraphs: Object.fromEntries(subgraphs.map(([name, location]) => [name, { url: location }])) },
    headers: {
      subgraphs: Object.fromEntries(subgraphs.map(([name, , authorization]) => [name, { request: [{ insert: { name: "authorization", value: authorization } }] }])),
    },
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * Hive Router's binary: the one named (--hive-router-bin, HIVE_ROUTER_BIN; an error if it is not there), else
 * `hive_router` or `hive-router` on PATH, else undefined (the target is left out).
 */
export function findHiveRouter(named: string | undefined, path: string | undefined): string | undefined {
  if (named !== undefined && named !== "") {
    if (!existsSync(named)) throw new Error(`Hive Router: ${named} (--hive-router-bin / HIVE_ROUTER_BIN) does not exist`);
    return named;
  }
  for (const dir of (path ?? "").split(delimiter).filter(Boolean)) {
    for (const name of ["hive_router", "hive-router"]) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}
