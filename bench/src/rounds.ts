import type { ScenarioResult } from "./benchResults.ts";

/** One result from the rounds of a target: mean throughput and CPU (each part's too), median latencies, every error, the peak RSS. */
export function combineRounds(runs: readonly ScenarioResult[]): ScenarioResult {
  const first = runs[0];
  if (first === undefined) throw new Error("no rounds measured");
  if (runs.length === 1) return first;
  const mean = (f: (r: ScenarioResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const median = (f: (r: ScenarioResult) => number) => {
    const sorted = runs.map(f).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    ...first,
    rps: round2(mean((r) => r.rps)),
    p50Ms: median((r) => r.p50Ms),
    p99Ms: median((r) => r.p99Ms),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    cpuMsPerRequest: {
      serving: Math.round(mean((r) => r.cpuMsPerRequest.serving) * 1000) / 1000,
      allParts: Math.round(mean((r) => r.cpuMsPerRequest.allParts) * 1000) / 1000,
      ...(first.cpuMsPerRequest.parts === undefined ? {} : { parts: meanByName(runs.map((r) => r.cpuMsPerRequest.parts ?? {}), 1000) }),
    },
    ...(first.legacyCallsPerRequest === undefined ? {} : { legacyCallsPerRequest: meanByName(runs.map((r) => r.legacyCallsPerRequest ?? {}), 100) }),
    roundsRps: runs.map((r) => round2(r.rps)),
  };
}

/** The mean of each named figure across the rounds (rounded to 1/`scale`). */
function meanByName(records: readonly Record<string, number>[], scale: number): Record<string, number> {
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    names.map((name) => [name, Math.round((records.reduce((a, r) => a + (r[name] ?? Number.NaN), 0) / records.length) * scale) / scale]),
  );
}
