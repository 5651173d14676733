/**
 * Issue 20's targets, evaluated on one run: each with its bound, the run's figure and whether it is met (null when
 * the run did not measure it, e.g. `--scenario person` has no list figures, or Hive Router was not there).
 */
import type { BenchResults, ScenarioResult, TargetCheck } from "./benchResults.ts";
import { listPageSize, type Target } from "./scenarios.ts";

type Measured = Pick<BenchResults, "scenarios" | "latency" | "plugin">;

interface Definition {
  readonly id: string;
  readonly title: string;
  readonly op: TargetCheck["op"];
  readonly bound: number;
  readonly unit: string;
  readonly value: (r: Measured) => number | null;
}

const find = (r: Measured, scenario: string, target: Target): ScenarioResult | undefined =>
  r.scenarios.find((s) => s.scenario === scenario && s.target === target);
const known = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
const round = (v: number | null, digits = 3): number | null => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const minus = (a: number | undefined, b: number | undefined) => round(a === undefined || b === undefined ? null : known(a - b));
const over = (a: number | undefined, b: number | undefined) => round(a === undefined || b === undefined || b === 0 ? null : known(a / b));
const rps = (r: Measured, scenario: string, target: Target) => find(r, scenario, target)?.rps;
const peakRss = (r: Measured, target: Target) => {
  const all = r.scenarios.filter((s) => s.target === target).map((s) => s.rssMb);
  return all.length === 0 ? undefined : Math.max(...all);
};
/**
 * The generator's worst lag (ms) beyond which the latency view says nothing: a machine too busy for the generator to
 * keep its schedule is too busy for the gateways' latency to mean anything either.
 */
const latencyLagLimitMs = 10;

/** A target's p99 in the latency view, when the generator kept its schedule. */
const latencyOf = (r: Measured, target: Target) => {
  const row = r.latency?.find((l) => l.target === target);
  return row === undefined || row.worstSendLagMs > latencyLagLimitMs ? undefined : row.p99Ms;
};

/**
 * DMT adapter CPU per vehicle lookup of a list request (50 per request): what each legacy call costs the adapter, a
 * SOAP call or, with the cache on, the cached answer to one. With `--adapter-cache off` every lookup is a SOAP call.
 */
export function dmtCpuPerLookup(row: ScenarioResult | undefined): number | null {
  const cpu = row?.cpuMsPerRequest.parts?.["dmt-soap"];
  return cpu === undefined ? null : round(known(cpu / listPageSize), 4);
}

/** DMT adapter CPU per SOAP call the DMT simulator served; none when (nearly) every lookup came from the cache. */
export function dmtCpuPerLegacyCall(row: ScenarioResult | undefined): number | null {
  const cpu = row?.cpuMsPerRequest.parts?.["dmt-soap"];
  const calls = row?.legacyCallsPerRequest?.["dmt-legacy"];
  if (cpu === undefined || calls === undefined || !(calls >= 1)) return null;
  return round(known(cpu / calls), 4);
}

const definitions: readonly Definition[] = [
  {
    id: "1-cpu",
    title: "NDX gateway CPU − plain gateway CPU per single-person request",
    op: "<=",
    bound: 0.15,
    unit: "ms",
    value: (r) => minus(find(r, "person", "ndx")?.cpuMsPerRequest.serving, find(r, "person", "plain")?.cpuMsPerRequest.serving),
  },
  {
    id: "1-cpu-all",
    title: "NDX / plain estimated from all parts' CPU per single-person request (plain's ÷ NDX's)",
    op: ">=",
    bound: 0.95,
    unit: "×",
    value: (r) => over(find(r, "person", "plain")?.cpuMsPerRequest.allParts, find(r, "person", "ndx")?.cpuMsPerRequest.allParts),
  },
  { id: "1-rps", title: "NDX / plain, measured req/s, single person", op: ">=", bound: 0.9, unit: "×", value: (r) => over(rps(r, "person", "ndx"), rps(r, "person", "plain")) },
  {
    id: "2",
    title: "All parts' CPU per single-person request through NDX",
    op: "<=",
    bound: 3.5,
    unit: "ms",
    value: (r) => round(known(find(r, "person", "ndx")?.cpuMsPerRequest.allParts)),
  },
  { id: "3-rps", title: "50 people + vehicles through NDX", op: ">=", bound: 60, unit: "req/s", value: (r) => round(known(rps(r, "people", "ndx")), 1) },
  {
    id: "3-cpu",
    title: "All parts' CPU per 50-people request through NDX",
    op: "<=",
    bound: 20,
    unit: "ms",
    value: (r) => round(known(find(r, "people", "ndx")?.cpuMsPerRequest.allParts)),
  },
  {
    id: "3-dmt",
    title: "DMT adapter CPU per legacy lookup (a SOAP call or its cached answer; 50 per request), 50 people through NDX",
    op: "<=",
    bound: 0.1,
    unit: "ms",
    value: (r) => dmtCpuPerLookup(find(r, "people", "ndx")),
  },
  {
    id: "3-calls",
    title: "DMT SOAP calls per 50-people request through NDX (the DMT simulator's count; 50 without a cache)",
    op: "info",
    bound: 0,
    unit: "",
    value: (r) => round(known(find(r, "people", "ndx")?.legacyCallsPerRequest?.["dmt-legacy"]), 2),
  },
  {
    id: "3-dmt-call",
    title: "DMT adapter CPU per SOAP call made, 50 people through NDX (none when the cache answered nearly all)",
    op: "info",
    bound: 0,
    unit: "ms",
    value: (r) => dmtCpuPerLegacyCall(find(r, "people", "ndx")),
  },
  { id: "4", title: "NDX gateway peak RSS / plain gateway's", op: "<=", bound: 1.2, unit: "×", value: (r) => over(peakRss(r, "ndx"), peakRss(r, "plain")) },
  {
    id: "5-rust",
    title: "NDX / Hive Gateway with the Rust query planner, req/s, single person",
    op: ">=",
    bound: 1.0,
    unit: "×",
    value: (r) => over(rps(r, "person", "ndx"), rps(r, "person", "hive-rust")),
  },
  {
    id: "5-router",
    title: "NDX / Hive Router (Rust), req/s, single person (where NDX stands)",
    op: "info",
    bound: 0,
    unit: "×",
    value: (r) => over(rps(r, "person", "ndx"), rps(r, "person", "hive-router")),
  },
  {
    id: "6",
    title: `NDX p99 − plain p99 at a fixed offered load, single person (not measured when the generator lagged > ${latencyLagLimitMs} ms)`,
    op: "<=",
    bound: 2,
    unit: "ms",
    value: (r) => minus(latencyOf(r, "ndx"), latencyOf(r, "plain")),
  },
  { id: "plugin", title: "Access plugin in-process p99", op: "<=", bound: 1000, unit: "µs", value: (r) => round(known(r.plugin.p99Us), 1) },
];

/** Whether `value` meets `op bound` (null when there is no value or no bound). */
export function meets(op: TargetCheck["op"], bound: number, value: number | null): boolean | null {
  if (value === null || op === "info") return null;
  return op === ">=" ? value >= bound : value <= bound;
}

export function evaluateTargets(r: Measured): TargetCheck[] {
  return definitions.map(({ id, title, op, bound, unit, value }) => {
    const v = value(r);
    return { id, title, op, bound, unit, value: v, met: meets(op, bound, v) };
  });
}

/** "met", "NOT met", "not measured" or "(figure)". */
export function verdict(check: Pick<TargetCheck, "op" | "met" | "value">): string {
  if (check.op === "info") return check.value === null ? "not measured" : "(figure)";
  return check.met === null ? "not measured" : check.met ? "met" : "NOT met";
}
