/** The report's tables beside the main one: CPU per request of every part, the latency view, issue 20's targets. */
import type { LatencyResult, ScenarioResult, TargetCheck } from "./benchResults.ts";
import { fmt, partColumns, scenarioNames, targetNames } from "./reportNames.ts";
import { dmtCpuPerLegacyCall, verdict } from "./targets.ts";

/** Every part's CPU ms per request, per scenario and target, the total, and NDX gateway − plain gateway. */
export function partsTable(rows: readonly ScenarioResult[]): string[] {
  const withParts = rows.filter((r) => r.cpuMsPerRequest.parts !== undefined);
  if (withParts.length === 0) return [];
  const seen = new Set(withParts.flatMap((r) => Object.keys(r.cpuMsPerRequest.parts ?? {})));
  const known = new Set(partColumns.map(([name]) => name));
  const columns = [...partColumns.filter(([name]) => seen.has(name)), ...[...seen].filter((n) => !known.has(n)).map((n) => [n, n] as const)];
  const lines = [
    "**CPU ms per request, by part** (user + system of each part's process tree over the measured window; \"gateway\" is the one serving):",
    "",
    `| scenario | target | ${columns.map(([, header]) => header).join(" | ")} | all parts |`,
    `|---|---|${columns.map(() => "---:").join("|")}|---:|`,
  ];
  for (const r of withParts) {
    const cells = columns.map(([name]) => fmt(r.cpuMsPerRequest.parts?.[name] ?? null));
    lines.push(`| ${scenarioNames[r.scenario] ?? r.scenario} | ${targetNames[r.target]} | ${cells.join(" | ")} | ${fmt(r.cpuMsPerRequest.allParts)} |`);
  }
  lines.push("");
  for (const scenario of [...new Set(withParts.map((r) => r.scenario))]) {
    const of = (target: ScenarioResult["target"]) => withParts.find((r) => r.scenario === scenario && r.target === target);
    const ndx = of("ndx");
    const plain = of("plain");
    if (ndx === undefined || plain === undefined) continue;
    const gateway = ndx.cpuMsPerRequest.serving - plain.cpuMsPerRequest.serving;
    const all = ndx.cpuMsPerRequest.allParts - plain.cpuMsPerRequest.allParts;
    let line = `${scenarioNames[scenario] ?? scenario}: NDX gateway − plain gateway = **${fmt(gateway)} ms** of CPU per request (all parts: ${fmt(all)} ms).`;
    const calls = ndx.legacyCallsPerRequest;
    if (calls !== undefined && Object.keys(calls).length > 0) {
      const perCall = dmtCpuPerLegacyCall(ndx);
      line +=
        ` Legacy calls per request through NDX: ${Object.entries(calls).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(", ")}` +
        (perCall === null || scenario !== "people" ? "." : `; DMT adapter CPU per SOAP call made ${fmt(perCall, 3)} ms.`);
    }
    lines.push(line);
  }
  lines.push("");
  return lines;
}

/** The fixed-rate latency view: p50/p99 from the scheduled time, per target. */
export function latencyLines(latency: readonly LatencyResult[]): string[] {
  if (latency.length === 0) return [];
  const rate = latency[0]?.ratePerSecond ?? 0;
  const lines = [
    `**Latency at a fixed offered load** (${rate} req/s, open loop: each request scheduled at a fixed interval, its latency measured from then):`,
    "",
    "| scenario | target | scheduled | answered | p50 ms | p99 ms | max ms | generator's worst lag ms |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const l of latency) {
    lines.push(
      `| ${scenarioNames[l.scenario] ?? l.scenario} | ${targetNames[l.target]} | ${l.scheduled} | ${l.completed} | ${fmt(l.p50Ms)} | ${fmt(l.p99Ms)} | ${fmt(l.maxMs)} | ${fmt(l.worstSendLagMs)} |`,
    );
  }
  lines.push("");
  return lines;
}

const boundText = (t: Pick<TargetCheck, "op" | "bound" | "unit">) => (t.op === "info" ? "–" : `${t.op === ">=" ? "≥" : "≤"} ${t.bound} ${t.unit}`);

/** Issue 20's targets on this run: the bound, the figure, met or not. */
export function targetsTable(targets: readonly TargetCheck[]): string[] {
  if (targets.length === 0) return [];
  const lines = ["**Issue 20's targets, this run:**", "", "| # | target | bound | this run | |", "|---|---|---|---:|---|"];
  for (const t of targets) {
    lines.push(`| ${t.id} | ${t.title} | ${boundText(t)} | ${t.value === null ? "–" : `${t.value} ${t.unit}`} | ${verdict(t)} |`);
  }
  lines.push("");
  return lines;
}

export { boundText };
