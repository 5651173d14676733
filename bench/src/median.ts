/**
 * The median of several whole runs (`npm run bench -- --runs 3`): for each of issue 20's targets, and for each
 * scenario and target's req/s and CPU per request (all parts and each part), the median and the spread (min–max)
 * across the runs. A target is met when its median is.
 */
import type { BenchResults, ScenarioResult, TargetCheck } from "./benchResults.ts";
import { evaluateTargets, meets } from "./targets.ts";

export interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Every run's figure, in run order (null where a run did not measure it). */
  readonly runs: readonly (number | null)[];
}

/** Median (the mean of the middle two for an even count), min and max of the figures that were measured. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread {
  const runs = values.map((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));
  const known = runs.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return { median: null, min: null, max: null, runs };
  const mid = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? (known[mid] ?? 0) : ((known[mid - 1] ?? 0) + (known[mid] ?? 0)) / 2;
  return { median: Math.round(median * 1000) / 1000, min: known[0] ?? null, max: known.at(-1) ?? null, runs };
}

export interface TargetMedian extends Omit<TargetCheck, "value" | "met"> {
  readonly spread: Spread;
  /** Whether the median meets the bound. */
  readonly met: boolean | null;
}

export interface RowMedian {
  readonly scenario: string;
  readonly target: ScenarioResult["target"];
  readonly rps: Spread;
  readonly p99Ms: Spread;
  readonly allPartsCpuMs: Spread;
  readonly servingCpuMs: Spread;
  readonly parts: Record<string, Spread>;
}

export interface MedianSummary {
  readonly date: string;
  readonly commit: string;
  readonly runs: number;
  /** Each run's date and load average before and after: how busy the machine was. */
  readonly runInfo: readonly { date: string; loadAverage: { atStart: number; atEnd: number } }[];
  readonly targets: readonly TargetMedian[];
  readonly rows: readonly RowMedian[];
}

export function summarizeRuns(runs: readonly BenchResults[]): MedianSummary {
  const first = runs[0];
  if (first === undefined) throw new Error("no runs to summarise");
  const checks = runs.map((r) => r.targets ?? evaluateTargets(r));
  const targets = (checks[0] ?? []).map(({ id, title, op, bound, unit }) => {
    const spread = spreadOf(checks.map((c) => c.find((t) => t.id === id)?.value));
    return { id, title, op, bound, unit, spread, met: meets(op, bound, spread.median) };
  });
  const keys = [...new Map(runs.flatMap((r) => r.scenarios.map((s) => [`${s.scenario}/${s.target}`, s] as const))).values()];
  const rows = keys.map(({ scenario, target }) => {
    const matching = runs.map((r) => r.scenarios.find((s) => s.scenario === scenario && s.target === target));
    const partNames = [...new Set(matching.flatMap((m) => Object.keys(m?.cpuMsPerRequest.parts ?? {})))];
    return {
      scenario,
      target,
      rps: spreadOf(matching.map((m) => m?.rps)),
      p99Ms: spreadOf(matching.map((m) => m?.p99Ms)),
      allPartsCpuMs: spreadOf(matching.map((m) => m?.cpuMsPerRequest.allParts)),
      servingCpuMs: spreadOf(matching.map((m) => m?.cpuMsPerRequest.serving)),
      parts: Object.fromEntries(partNames.map((p) => [p, spreadOf(matching.map((m) => m?.cpuMsPerRequest.parts?.[p]))])),
    };
  });
  return {
    date: new Date().toISOString(),
    commit: first.commit,
    runs: runs.length,
    runInfo: runs.map((r) => ({ date: r.date, loadAverage: r.machine.loadAverage })),
    targets,
    rows,
  };
}
