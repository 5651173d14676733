/** The Hive peers' configs as the bench writes them, and how it finds Hive Router's binary. */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { findHiveRouter, writeHiveGatewayConfig, writeHiveRouterConfig } from "../src/hiveConfig.ts";

const locations = { registry: "http://127.0.0.1:1/graphql", drp: "http://127.0.0.1:2/graphql", dmt: "http://127.0.0.1:3/graphql" };

describe("Hive Gateway's config", () => {
  it("with the Rust planner, loads the planner's unifiedGraphHandler from the installed @graphql-hive/router-runtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-hive-"));
    const file = await writeHiveGatewayConfig(dir, locations, true);
    const config = ((await import(pathToFileURL(file).href)) as { gatewayConfig: Record<string, unknown> }).gatewayConfig;
    expect(typeof config["unifiedGraphHandler"]).toBe("function");
    const entries = config["transportEntries"] as Record<string, { location: string; headers: [string, string][] }>;
    expect(entries["dmt"]?.location).toBe(locations.dmt);
    expect(entries["dmt"]?.headers[0]?.[0]).toBe("authorization");
    expect(entries["dmt"]?.headers[0]?.[1]).toMatch(/^Bearer ey/);
  });

  it("without it, has nothing but the subgraphs' locations and credentials", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-hive-"));
    const config = ((await import(pathToFileURL(await writeHiveGatewayConfig(dir, locations, false)).href)) as { gatewayConfig: Record<string, unknown> }).gatewayConfig;
    expect(Object.keys(config)).toEqual(["transportEntries"]);
  });
});

describe("Hive Router's config", () => {
  it("names the supergraph, the address, each subgraph's URL and the credential inserted for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-router-"));
    const config = JSON.parse(readFileSync(await writeHiveRouterConfig(dir, "/s/supergraph.graphql", 4100, locations), "utf8")) as {
      supergraph: unknown;
      http: unknown;
      override_subgraph_urls: { subgraphs: Record<string, { url: string }> };
      headers: { subgraphs: Record<string, { request: { insert: { name: string; value: string } }[] }> };
    };
    expect(config.supergraph).toEqual({ source: "file", path: "/s/supergraph.graphql" });
    expect(config.http).toEqual({ host: "127.0.0.1", port: 4100 });
    expect(config.override_subgraph_urls.subgraphs["registry"]).toEqual({ url: locations.registry });
    const insert = config.headers.subgraphs["drp"]?.request[0]?.insert;
    expect(insert?.name).toBe("authorization");
    expect(insert?.value).toMatch(/^Bearer ey/);
  });
});

describe("finding Hive Router", () => {
  it("uses the binary named, refuses one that is not there, else looks on PATH, else leaves it out", () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-bin-"));
    const binary = join(dir, "hive_router");
    writeFileSync(binary, "#!/bin/sh\n");
    chmodSync(binary, 0o755);
    expect(findHiveRouter(binary, undefined)).toBe(binary);
    expect(() => findHiveRouter(join(dir, "missing"), undefined)).toThrow(/does not exist/);
    expect(findHiveRouter(undefined, ["/nonexistent", dir].join(delimiter))).toBe(binary);
    expect(findHiveRouter(undefined, "/nonexistent")).toBeUndefined();
    expect(findHiveRouter("", undefined)).toBeUndefined();
  });
});
