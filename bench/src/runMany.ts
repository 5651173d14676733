/**
 * `npm run bench -- --runs 3` (or `npm run bench:median`): the whole bench `runs` times in a row, each a fresh
 * `run.ts` with the same options, then one summary: each target's median and spread (median.ts), written to
 * bench/results/median.json (and a dated copy, with every run's results), median.md and the README's median table.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchResults } from "./benchResults.ts";
import { summarizeRuns } from "./median.ts";
import { renderMedian } from "./medianReport.ts";
import { replaceMarked } from "./results.ts";

/** Runs run.ts once with `args` (plus --runs 1 and --out), forwarding its output; resolves with its results. */
async function runOnce(args: readonly string[], out: string, label: string): Promise<BenchResults> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, "run.ts"), ...args, "--runs", "1", "--no-save", "--out", out], { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  if (code !== 0) throw new Error(`${label} failed (exit ${code}): no median`);
  return JSON.parse(readFileSync(out, "utf8")) as BenchResults;
}

export async function runMany(runs: number, args: readonly string[], benchDir: string, save: boolean): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "ndx-bench-runs-"));
  try {
    const results: BenchResults[] = [];
    for (let i = 1; i <= runs; i += 1) {
      process.stderr.write(`\n=== run ${i} of ${runs} ===\n`);
      results.push(await runOnce(args, join(work, `run-${i}.json`), `run ${i} of ${runs}`));
    }
    const summary = summarizeRuns(results);
    const markdown = renderMedian(summary);
    process.stdout.write(`\n${markdown}\n`);
    if (!save) return;
    const dir = join(benchDir, "results");
    mkdirSync(dir, { recursive: true });
    const json = `${JSON.stringify({ ...summary, results }, null, 2)}\n`;
    const dated = `median-${summary.date.slice(0, 16).replace(":", "").replace("T", "-")}.json`;
    writeFileSync(join(dir, "median.json"), json);
    writeFileSync(join(dir, dated), json);
    writeFileSync(join(dir, "median.md"), markdown);
    replaceMarked(join(benchDir, "README.md"), "median.md", markdown);
    process.stderr.write(`Results: bench/results/median.json, bench/results/${dated}, bench/results/median.md\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
