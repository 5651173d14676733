/**
 * Linux `perf` around one process: the node flags that name its jitted code for perf, a recording of every thread
 * for a while, and the samples with those names put in. Needs `perf` (Debian: linux-perf) and the right to record
 * another process (root, or kernel.perf_event_paranoid ≤ 1).
 */
import { spawn, spawnSync } from "node:child_process";

/** Node writes jit-<pid>.dump into `dir`: each jitted function's name and code, for `perf inject --jit`. */
export function perfNodeFlags(dir: string): string[] {
  return ["--perf-prof", `--perf-prof-path=${dir}`, "--interpreted-frames-native-stack"];
}

/** Why perf cannot record here, or undefined when it can. */
export function perfProblem(): string | undefined {
  const probe = spawnSync("perf", ["record", "-q", "-N", "-o", "/dev/null", "--", "true"], { encoding: "utf8" });
  if (probe.error !== undefined) return `perf is not installed (${probe.error.message}); Debian: apt-get install linux-perf`;
  if (probe.status !== 0) return `perf cannot record: ${(probe.stderr || probe.stdout).trim().split("\n")[0] ?? `exit ${probe.status}`}`;
  return undefined;
}

/**
 * perf keeps a copy of every binary it saw, the jitted functions' too (hundreds of MB a run), in a build-id cache
 * (~/.debug by default): kept in `dir` instead, which goes with the recording.
 */
const perf = (dir: string, args: readonly string[]) => ["--buildid-dir", dir, ...args];

/** Records every thread of `pid` for `seconds` (CPU clock, call stacks, CLOCK_MONOTONIC for the jit dump) into `out`. */
export function recordPerf(pid: number, seconds: number, out: string, cacheDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = perf(cacheDir, ["record", "-q", "-N", "-k", "1", "-F", "999", "-g", "-p", String(pid), "-o", out, "--", "sleep", String(seconds)]);
    const child = spawn("perf", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`perf record: exit ${code}: ${stderr.trim().slice(0, 300)}`))));
  });
}

/**
 * The recording's samples as `perf script` prints them, jitted functions named (after the process has exited).
 * `perf inject` writes each jitted function as a small ELF file beside the jit dump.
 */
export function perfScript(recording: string, cacheDir: string): string {
  const injected = `${recording}.jit`;
  const inject = spawnSync("perf", perf(cacheDir, ["inject", "--jit", "-i", recording, "-o", injected]), { encoding: "utf8" });
  if (inject.status !== 0) throw new Error(`perf inject: ${inject.stderr.trim().slice(0, 300)}`);
  const script = spawnSync("perf", perf(cacheDir, ["script", "-F", "comm,tid,period,ip,sym", "-i", injected]), { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (script.status !== 0) throw new Error(`perf script: ${script.stderr.trim().slice(0, 300)}`);
  return script.stdout;
}
