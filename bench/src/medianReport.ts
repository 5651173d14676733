/** The markdown of the median of several runs (bench/results/median.md and the README's median table). */
import type { MedianSummary, Spread } from "./median.ts";
import { fmt, partColumns, scenarioNames, targetNames } from "./reportNames.ts";
import { boundText } from "./reportTables.ts";

/** "12.3 (11.0–13.1)": the median and the spread across the runs. */
function spreadText(s: Spread, digits = 2): string {
  if (s.median === null) return "–";
  return s.min === s.max ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

const verdictOf = (t: MedianSummary["targets"][number]) => (t.op === "info" ? (t.spread.median === null ? "not measured" : "(figure)") : t.met === null ? "not measured" : t.met ? "met" : "NOT met");

export function renderMedian(m: MedianSummary): string {
  const lines = [
    `Median of ${m.runs} runs (commit ${m.commit}; ${m.runInfo.map((r) => `${r.date.slice(11, 16)} UTC, load ${r.loadAverage.atStart} → ${r.loadAverage.atEnd}`).join("; ")}). ` +
      "Each figure is the median, with the spread (min–max) across the runs in brackets; a target is met when its median is.",
    "",
    "| # | target | bound | median (min–max) | |",
    "|---|---|---|---:|---|",
  ];
  for (const t of m.targets) lines.push(`| ${t.id} | ${t.title} | ${boundText(t)} | ${spreadText(t.spread, 3)} ${t.unit} | ${verdictOf(t)} |`);
  lines.push("", "| scenario | target | req/s | p99 ms | CPU ms/req, serving | CPU ms/req, all parts |", "|---|---|---:|---:|---:|---:|");
  for (const r of m.rows) {
    lines.push(
      `| ${scenarioNames[r.scenario] ?? r.scenario} | ${targetNames[r.target]} | ${spreadText(r.rps, 0)} | ${spreadText(r.p99Ms)} | ${spreadText(r.servingCpuMs)} | ${spreadText(r.allPartsCpuMs)} |`,
    );
  }
  const seen = new Set(m.rows.flatMap((r) => Object.keys(r.parts)));
  const columns = partColumns.filter(([name]) => seen.has(name));
  if (columns.length > 0) {
    lines.push("", "CPU ms per request by part (median of the runs):", "");
    lines.push(`| scenario | target | ${columns.map(([, h]) => h).join(" | ")} |`, `|---|---|${columns.map(() => "---:").join("|")}|`);
    for (const r of m.rows) {
      lines.push(`| ${scenarioNames[r.scenario] ?? r.scenario} | ${targetNames[r.target]} | ${columns.map(([name]) => fmt(r.parts[name]?.median ?? null)).join(" | ")} |`);
    }
  }
  lines.push("");
  return lines.join("\n");
}
