/**
 * What a bench run concludes and where it is kept: the ratios worked out from the measured targets, and the files
 * under bench/results/ (latest.json, a dated copy, latest.md) plus the table between the markers of bench/README.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResults, Ratios, ScenarioResult } from "./benchResults.ts";

type Target = ScenarioResult["target"];

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : Math.round((a / b) * 1000) / 1000);

/** The ratios of a run: the targets' (single person), per scenario, and estimated from CPU per request. */
export function ratiosOf(
  results: readonly ScenarioResult[],
  scenarioNames: readonly string[],
): Pick<BenchResults, "ratios" | "ratiosByScenario" | "ratiosFromCpu"> {
  const find = (scenario: string, target: Target) => results.find((r) => r.scenario === scenario && r.target === target);
  const rpsOf = (scenario: string, target: Target) => find(scenario, target)?.rps;
  const allCpuOf = (scenario: string, target: Target) => find(scenario, target)?.cpuMsPerRequest.allParts;
  const throughput = (scenario: string): Ratios => ({
    ndxOverPlain: ratio(rpsOf(scenario, "ndx"), rpsOf(scenario, "plain")),
    ndxOverHive: ratio(rpsOf(scenario, "ndx"), rpsOf(scenario, "hive")),
    ndxOverHiveRust: ratio(rpsOf(scenario, "ndx"), rpsOf(scenario, "hive-rust")),
    ndxOverHiveRouter: ratio(rpsOf(scenario, "ndx"), rpsOf(scenario, "hive-router")),
  });
  const fromCpu = (name: string): Ratios => ({
    ndxOverPlain: ratio(allCpuOf(name, "plain"), allCpuOf(name, "ndx")),
    ndxOverHive: ratio(allCpuOf(name, "hive"), allCpuOf(name, "ndx")),
    ndxOverHiveRust: ratio(allCpuOf(name, "hive-rust"), allCpuOf(name, "ndx")),
    ndxOverHiveRouter: ratio(allCpuOf(name, "hive-router"), allCpuOf(name, "ndx")),
  });
  return {
    ratios: throughput("person"),
    ratiosFromCpu: Object.fromEntries(scenarioNames.map((name) => [name, fromCpu(name)])),
    ratiosByScenario: Object.fromEntries(
      scenarioNames.map((name) => [name, { ...throughput(name), plainOverDirect: ratio(rpsOf(name, "plain"), rpsOf(name, "direct")) }]),
    ),
  };
}

/** Writes the run into `benchDir`/results and the README's latest table; returns the dated file's name. */
export function saveResults(benchDir: string, output: Pick<BenchResults, "date">, markdown: string): string {
  const dir = join(benchDir, "results");
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(output, null, 2)}\n`;
  const dated = `${output.date.slice(0, 16).replace(":", "").replace("T", "-")}.json`;
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(dir, dated), json);
  writeFileSync(join(dir, "latest.md"), markdown);
  // The README shows the latest table between its markers.
  replaceMarked(join(benchDir, "README.md"), "latest.md", markdown);
  return dated;
}

/** Replaces the text between `<!-- name -->` and `<!-- /name -->` in `file` (nothing when the markers are not there). */
export function replaceMarked(file: string, name: string, markdown: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const marked = new RegExp(`(<!-- ${escaped} -->\\n)[\\s\\S]*?(<!-- /${escaped} -->)`);
  if (marked.test(text)) writeFileSync(file, text.replace(marked, (_m, open: string, close: string) => `${open}${markdown}${close}`));
}
