/** The bench's options: defaults, BENCH_* variables, the command line over them, and what it refuses. */
import { describe, expect, it } from "vitest";
import { listConnections, parseOptions } from "../src/options.ts";

describe("options", () => {
  it("defaults to one run of 16 connections, 3 rounds, a 100 req/s latency view and the adapters' cache as configured", () => {
    expect(parseOptions([], {})).toMatchObject({
      connections: 16,
      durationSeconds: 10,
      warmupSeconds: 3,
      rounds: 3,
      runs: 1,
      rate: 100,
      adapterCache: "default",
      hiveRouterBin: undefined,
    });
  });

  it("reads BENCH_* and HIVE_ROUTER_BIN, the command line winning, the last of a repeated option winning", () => {
    const env = { BENCH_RUNS: "3", BENCH_RATE: "50", HIVE_ROUTER_BIN: "/opt/hive_router", PATH: "/usr/bin" };
    expect(parseOptions([], env)).toMatchObject({ runs: 3, rate: 50, hiveRouterBin: "/opt/hive_router", searchPath: "/usr/bin" });
    // runMany re-runs run.ts with the same arguments and "--runs 1" after them.
    expect(parseOptions(["--runs", "3", "--rate", "0", "--runs", "1"], env)).toMatchObject({ runs: 1, rate: 0 });
    expect(parseOptions(["--adapter-cache", "off", "--scenario", "people"], {})).toMatchObject({ adapterCache: "off", scenario: "people" });
  });

  it("refuses what it cannot run, naming the option", () => {
    expect(() => parseOptions(["--runs", "0"], {})).toThrow(/--runs/);
    expect(() => parseOptions(["--rate", "-1"], {})).toThrow(/--rate/);
    expect(() => parseOptions(["--duration", "2.5"], {})).toThrow(/--duration/);
    expect(() => parseOptions(["--adapter-cache", "maybe"], {})).toThrow(/--adapter-cache/);
    expect(() => parseOptions(["--scenario", "everyone"], {})).toThrow(/person or people/);
  });

  it("gives the list scenario a quarter of the connections, at least one", () => {
    expect(listConnections(16)).toBe(4);
    expect(listConnections(1)).toBe(1);
  });
});
