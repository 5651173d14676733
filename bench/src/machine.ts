/** What a run ran on: the machine, how busy it was, the commit and the versions compared (the results' header). */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { resolve } from "node:path";
import type { Quiet } from "./quiet.ts";
import type { BenchResults } from "./benchResults.ts";

/** The 1-minute load average, to two decimals. */
export function loadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

export function describeMachine(loadAtStart: number, quiet: Quiet): BenchResults["machine"] {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    idleBefore: { share: Math.round(quiet.idle * 100) / 100, waitedSeconds: Math.round(quiet.waitedMs / 1000) },
  };
}

/** The installed version of a package, from its package.json under `repoRoot`. */
export function packageVersion(repoRoot: string, pkg: string): string {
  return (JSON.parse(readFileSync(resolve(repoRoot, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/** The checked-out commit, or "unknown" outside a git checkout. */
export function gitCommit(repoRoot: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
