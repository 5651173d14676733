/** The bench's own logic (not speed): what counts as an error, the profile summary, the results table, rounds. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { load } from "../src/load.ts";
import { categoryOf, summarizeProfile, type CpuProfile } from "../src/profile.ts";
import type { BenchResults, ScenarioResult } from "../src/benchResults.ts";
import { renderMarkdown } from "../src/report.ts";
import { combineRounds } from "../src/rounds.ts";
import { scenarioRow } from "./scenarioRow.ts";

describe("load", () => {
  let server: Server;
  let url = "";
  let calls = 0;
  beforeAll(async () => {
    // Answers a body that depends on the request; every 5th request of "flaky" gets a 500.
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        calls += 1;
        const { n } = JSON.parse(body) as { n: number };
        if (req.url === "/flaky" && calls % 5 === 0) {
          res.writeHead(500).end("{}");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { n } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const variants = [1, 2, 3].map((n) => ({ body: JSON.stringify({ n }), expect: JSON.stringify({ data: { n } }) }));

  it("counts correct answers to every variant, and no errors", async () => {
    const result = await load({ url: `${url}/ok`, headers: {}, variants, connections: 2, warmupSeconds: 0, durationSeconds: 1, watch: [{ name: "self", pid: process.pid }] });
    expect(result.errors).toBe(0);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(Number.isFinite(result.cpuMsPerRequest["self"])).toBe(true);
  });

  it("counts non-200s and wrong bodies as errors", async () => {
    const flaky = await load({ url: `${url}/flaky`, headers: {}, variants, connections: 2, warmupSeconds: 0, durationSeconds: 1 });
    expect(flaky.errors).toBeGreaterThan(0);
    expect(flaky.detail.non2xx).toBeGreaterThan(0);
    const wrong = await load({
      url: `${url}/ok`,
      headers: {},
      variants: variants.map((v) => ({ ...v, expect: "{}" })),
      connections: 1,
      warmupSeconds: 0,
      durationSeconds: 1,
    });
    expect(wrong.errors).toBeGreaterThan(0);
    expect(wrong.detail.mismatches).toBeGreaterThan(0);
  });
});

describe("profile summary", () => {
  it("says where code lives", () => {
    expect(categoryOf("file:///work/main/gateway/src/access/useAccess.ts", "onExecute")).toBe("ours: gateway");
    expect(categoryOf("file:///work/main/node_modules/@apollo/gateway/dist/index.js", "x")).toBe("@apollo/gateway");
    expect(categoryOf("node:internal/deps/undici/undici", "x")).toBe("node: undici (fetch to subgraphs)");
    expect(categoryOf("", "(garbage collector)")).toBe("(gc)");
  });

  it("splits self and total time, leaving out idle time and samples before the window", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 4] },
        { id: 2, callFrame: frame("onExecute", "file:///r/gateway/src/access/useAccess.ts"), children: [3] },
        { id: 3, callFrame: frame("evaluate", "file:///r/node_modules/@open-policy-agent/opa-wasm/x.js") },
        { id: 4, callFrame: frame("(idle)", "") },
      ],
      startTime: 0,
      endTime: 5000,
      samples: [3, 3, 2, 4, 3],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
    };
    const text = summarizeProfile(profile, { fromMs: 1.5 });
    // The first sample (at 1 ms) is before the window; the idle one does not count.
    expect(text).toContain("busy (not idle) 0.0 s");
    expect(text).toContain("| @open-policy-agent/opa-wasm | 2 | 66.7 % | 66.7 % |");
    expect(text).toContain("| ours: gateway | 1 | 33.3 % | 100.0 % |");
  });
});

describe("results table", () => {
  it("shows every target, the ratios and the plugin's cost", () => {
    const p = { p50Us: 1, p99Us: 2 };
    const results: BenchResults = {
      date: "2026-01-01T00:00:00.000Z",
      commit: "abc",
      machine: { cores: 2, cpu: "cpu", memoryGb: 24, os: "linux", node: "v24", loadAverage: { atStart: 1, atEnd: 1 } },
      settings: {
        connections: 16,
        connectionsList: 4,
        warmupSeconds: 3,
        durationSeconds: 10,
        loadGenerator: "autocannon",
        versions: {},
        policyRevision: "a",
        registerRevision: 1,
      },
      scenarios: [
        scenarioRow("person", "direct", 400),
        { ...scenarioRow("person", "plain", 100), cpuMsPerRequest: { serving: 1.1, allParts: 4, parts: { gateway: 1.1, registry: 1, "dmt-soap": 1.9 } } },
        { ...scenarioRow("person", "ndx", 90), cpuMsPerRequest: { serving: 1.4, allParts: 4.5, parts: { gateway: 1.4, registry: 1, "dmt-soap": 2.1 } } },
        scenarioRow("person", "hive", 100),
        scenarioRow("person", "hive-rust", 120),
      ],
      latency: [
        { scenario: "person", target: "plain", ratePerSecond: 100, scheduled: 1000, completed: 1000, errors: 0, p50Ms: 4, p99Ms: 9, maxMs: 20, worstSendLagMs: 1 },
        { scenario: "person", target: "ndx", ratePerSecond: 100, scheduled: 1000, completed: 1000, errors: 0, p50Ms: 5, p99Ms: 10.5, maxMs: 30, worstSendLagMs: 1 },
      ],
      targets: [{ id: "6", title: "NDX p99 − plain p99", op: "<=", bound: 2, unit: "ms", value: 1.5, met: true }],
      ratios: { ndxOverPlain: 0.9, ndxOverHive: 0.9 },
      ratiosByScenario: {},
      ratiosFromCpu: { person: { ndxOverPlain: 0.8, ndxOverHive: 0.7 } },
      plugin: { ...p, iterations: 1, policyEvaluationsPerRequest: 2, pieces: { scope: p, consentWarm: p, policyEvaluate: p, policyEvaluateFresh: p, auditAppend: p } },
      seconds: 1,
    };
    const md = renderMarkdown(results);
    for (const name of ["registry subgraph, direct", "plain gateway", "NDX gateway", "Hive Gateway", "Hive Gateway, Rust query planner"]) expect(md).toContain(name);
    // Every part's CPU per request, the total, and NDX gateway − plain gateway.
    expect(md).toContain("| scenario | target | gateway | registry | DMT adapter | all parts |");
    expect(md).toContain("| one person, 3 providers | NDX gateway, everything on | 1.40 | 1.00 | 2.10 | 4.50 |");
    expect(md).toContain("NDX gateway − plain gateway = **0.30 ms** of CPU per request (all parts: 0.50 ms)");
    expect(md).toContain("**Latency at a fixed offered load** (100 req/s");
    expect(md).toContain("| 6 | NDX p99 − plain p99 | ≤ 2 ms | 1.5 ms | met |");
    expect(md).toContain("NDX / plain = **0.90**");
    expect(md).toContain("on 2 cores");
    expect(md).toContain("NDX / plain ≈ 0.80");
    expect(md).toContain("p99 **2.0 µs**");
  });
});

describe("rounds", () => {
  const round = (rps: number, p50Ms: number, errors = 0, rssMb = 300): ScenarioResult => ({
    scenario: "person",
    target: "ndx",
    rps,
    p50Ms,
    p99Ms: p50Ms * 2,
    errors,
    rssMb,
    connections: 16,
    requests: rps * 10,
    cpuMsPerRequest: { serving: rps / 100, allParts: rps / 10 },
  });

  it("combine into the mean throughput and CPU, the median latencies, every error and the highest RSS", () => {
    const combined = combineRounds([round(150, 90), round(120, 110, 2, 420), round(180, 100)]);
    expect(combined).toMatchObject({ rps: 150, p50Ms: 100, p99Ms: 200, errors: 2, rssMb: 420, requests: 4500, roundsRps: [150, 120, 180] });
    expect(combined.cpuMsPerRequest).toEqual({ serving: 1.5, allParts: 15 });
  });

  it("leave a single run as it is, and refuse none", () => {
    const one = round(150, 90);
    expect(combineRounds([one])).toBe(one);
    expect(() => combineRounds([])).toThrow(/no rounds/);
  });
});
