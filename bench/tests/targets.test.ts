/** Issue 20's targets on a run, and the median and spread of several runs. */
import { describe, expect, it } from "vitest";
import type { BenchResults, ScenarioResult } from "../src/benchResults.ts";
import { sumMetric } from "../src/legacyCalls.ts";
import { spreadOf, summarizeRuns } from "../src/median.ts";
import { renderMedian } from "../src/medianReport.ts";
import { dmtCpuPerLegacyCall, dmtCpuPerLookup, evaluateTargets, meets } from "../src/targets.ts";
import { scenarioRow } from "./scenarioRow.ts";

const plugin = { p50Us: 10, p99Us: 24, iterations: 1, policyEvaluationsPerRequest: 1, pieces: {} } as unknown as BenchResults["plugin"];

const row = (scenario: string, target: ScenarioResult["target"], rps: number, serving: number, allParts: number, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  ...scenarioRow(scenario, target, rps, allParts),
  cpuMsPerRequest: { serving, allParts },
  ...extra,
});

const run = (ndxRps: number, ndxServing: number): Pick<BenchResults, "scenarios" | "latency" | "plugin"> => ({
  scenarios: [
    row("person", "plain", 400, 1.1, 4.9, { rssMb: 480 }),
    row("person", "ndx", ndxRps, ndxServing, 3.4, { rssMb: 560 }),
    row("person", "hive-rust", 380, 1.5, 5.5),
    row("people", "ndx", 65, 4, 19.5, {
      rssMb: 600,
      cpuMsPerRequest: { serving: 4, allParts: 19.5, parts: { gateway: 4, "dmt-soap": 2.5 } },
      legacyCallsPerRequest: { "dmt-legacy": 50, "drp-legacy": 0 },
    }),
  ],
  latency: [
    { scenario: "person", target: "plain", ratePerSecond: 100, scheduled: 1000, completed: 1000, errors: 0, p50Ms: 4, p99Ms: 9, maxMs: 20, worstSendLagMs: 1 },
    { scenario: "person", target: "ndx", ratePerSecond: 100, scheduled: 1000, completed: 1000, errors: 0, p50Ms: 5, p99Ms: 12, maxMs: 30, worstSendLagMs: 1 },
  ],
  plugin,
});

describe("issue 20's targets on a run", () => {
  it("evaluates each bound on the run's figure: met, not met, or not measured", () => {
    const byId = Object.fromEntries(evaluateTargets(run(380, 1.2)).map((t) => [t.id, t]));
    expect(byId["1-cpu"]).toMatchObject({ value: 0.1, met: true });
    // All parts: plain 4.9 ms, NDX 3.4 ms per request → 1.441.
    expect(byId["1-cpu-all"]).toMatchObject({ value: 1.441, met: true });
    expect(byId["1-rps"]).toMatchObject({ value: 0.95, met: true });
    expect(byId["2"]).toMatchObject({ value: 3.4, met: true });
    expect(byId["3-rps"]).toMatchObject({ value: 65, met: true });
    expect(byId["3-cpu"]).toMatchObject({ value: 19.5, met: true });
    // 2.5 ms of DMT adapter CPU per request over its 50 lookups; 50 SOAP calls made (no cache), so 0.05 per call too.
    expect(byId["3-dmt"]).toMatchObject({ value: 0.05, met: true });
    expect(byId["3-calls"]).toMatchObject({ value: 50, met: null });
    expect(byId["3-dmt-call"]).toMatchObject({ value: 0.05, met: null });
    // 600 MB (the NDX gateway's peak over both scenarios) against 480.
    expect(byId["4"]).toMatchObject({ value: 1.25, met: false });
    expect(byId["5-rust"]).toMatchObject({ value: 1, met: true });
    // No Hive Router in this run: reported as not measured, never as met.
    expect(byId["5-router"]).toMatchObject({ value: null, met: null });
    expect(byId["6"]).toMatchObject({ value: 3, met: false });
    expect(byId["plugin"]).toMatchObject({ value: 24, met: true });
  });

  it("says nothing of latency when the fixed-rate generator could not keep its schedule", () => {
    const busy = run(380, 1.2);
    const lagging = { ...busy, latency: (busy.latency ?? []).map((l) => (l.target === "plain" ? { ...l, worstSendLagMs: 300 } : l)) };
    expect(evaluateTargets(lagging).find((t) => t.id === "6")).toMatchObject({ value: null, met: null });
  });

  it("compares at the bound inclusively, in the target's direction", () => {
    expect(meets(">=", 60, 60)).toBe(true);
    expect(meets(">=", 60, 59.9)).toBe(false);
    expect(meets("<=", 0.15, 0.16)).toBe(false);
    expect(meets("<=", 0.15, null)).toBeNull();
    expect(meets("info", 0, 3)).toBeNull();
  });

  it("puts the DMT adapter's CPU per lookup (50 a request) and per SOAP call the simulator served, none when the cache answered nearly all", () => {
    const people = (calls: number) => row("people", "ndx", 60, 4, 20, { cpuMsPerRequest: { serving: 4, allParts: 20, parts: { "dmt-soap": 1 } }, legacyCallsPerRequest: { "dmt-legacy": calls } });
    expect(dmtCpuPerLookup(people(50))).toBe(0.02);
    expect(dmtCpuPerLookup(people(2))).toBe(0.02);
    expect(dmtCpuPerLegacyCall(people(50))).toBe(0.02);
    expect(dmtCpuPerLegacyCall(people(5))).toBe(0.2);
    // Everything (or all but a stray call) from the cache: no per-call figure rather than a division by ~zero.
    expect(dmtCpuPerLegacyCall(people(0))).toBeNull();
    expect(dmtCpuPerLegacyCall(people(0.04))).toBeNull();
  });
});

describe("median of runs", () => {
  it("takes the median (the middle two's mean for an even count) and the spread of the figures measured", () => {
    expect(spreadOf([3, 1, 2])).toMatchObject({ median: 2, min: 1, max: 3 });
    expect(spreadOf([4, 1, 2, 3])).toMatchObject({ median: 2.5, min: 1, max: 4 });
    expect(spreadOf([null, 5, undefined, Number.NaN])).toEqual({ median: 5, min: 5, max: 5, runs: [null, 5, null, null] });
    expect(spreadOf([null])).toMatchObject({ median: null, min: null, max: null });
  });

  it("summarises each target and each target's row over the runs, met when the median is", () => {
    const results = [run(300, 1.4), run(380, 1.2), run(390, 1.25)].map(
      (r, i) =>
        ({
          ...r,
          date: `2026-12-06T1${i}:00:00.000Z`,
          commit: "abc",
          machine: { cores: 2, cpu: "cpu", memoryGb: 24, os: "linux", node: "v24", loadAverage: { atStart: i, atEnd: i + 1 } },
        }) as unknown as BenchResults,
    );
    const summary = summarizeRuns(results);
    const cpu = summary.targets.find((t) => t.id === "1-cpu");
    // NDX − plain gateway CPU: 0.3, 0.1, 0.15 → median 0.15, met (≤ 0.15), spread 0.1–0.3.
    expect(cpu).toMatchObject({ met: true, spread: { median: 0.15, min: 0.1, max: 0.3 } });
    const rps = summary.targets.find((t) => t.id === "1-rps");
    expect(rps?.spread.median).toBe(0.95);
    expect(summary.rows.find((r) => r.scenario === "person" && r.target === "ndx")?.rps).toMatchObject({ median: 380, min: 300, max: 390 });
    expect(summary.rows.find((r) => r.scenario === "people")?.parts["dmt-soap"]?.median).toBe(2.5);
    const md = renderMedian(summary);
    expect(md).toContain("Median of 3 runs");
    expect(md).toContain("| 1-cpu | NDX gateway CPU − plain gateway CPU per single-person request | ≤ 0.15 ms | 0.150 (0.100–0.300) ms | met |");
    expect(md).toContain("| 5-router |");
    expect(md).toContain("not measured");
  });
});

describe("legacy calls from a simulator's /metrics", () => {
  it("sums every label set of the counter and nothing else", () => {
    const text = [
      "# HELP ndx_simulator_requests_total Legacy operations served",
      "# TYPE ndx_simulator_requests_total counter",
      'ndx_simulator_requests_total{operation="GetVehiclesByOwner",fault="none"} 1200',
      'ndx_simulator_requests_total{operation="GetVehiclesByOwner",fault="slow"} 3',
      "ndx_simulator_requests_total_created 1700000000",
      'ndx_http_requests_total{route="/dmt"} 99999',
    ].join("\n");
    expect(sumMetric(text, "ndx_simulator_requests_total")).toBe(1203);
    expect(sumMetric("", "ndx_simulator_requests_total")).toBe(0);
  });
});
