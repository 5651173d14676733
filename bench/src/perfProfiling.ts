/**
 * `--perf`: after the bench, the plain and NDX gateways run again, each started afresh with node's perf flags, under
 * the single-person load. Each first serves one measured window's worth of load unrecorded (so that the JIT, and the
 * PGlite worker's wasm tier-up, are done), then perf records every thread of it through the next window. The NDX −
 * plain table (perfSummary.ts) goes to bench/profiles/perf.md.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type GatewaySetup } from "./gateways.ts";
import { answersOf, connectionsOf, runLoad, type MeasureSetup } from "./measure.ts";
import { perfNodeFlags, perfScript, recordPerf } from "./perfRecord.ts";
import { attribute, parsePerfScript, perfComparison, type PerfRun } from "./perfSummary.ts";
import { repoRoot } from "./procs.ts";
import { elapsed, say } from "./progress.ts";
import type { Scenario } from "./scenarios.ts";

async function perfOne(target: "plain" | "ndx", setup: GatewaySetup & MeasureSetup, dir: string, scenario: Scenario, variables: readonly Record<string, unknown>[]): Promise<PerfRun> {
  const { warmupSeconds, durationSeconds } = setup.options;
  const jitDir = join(dir, target);
  rmSync(jitDir, { recursive: true, force: true });
  mkdirSync(jitDir, { recursive: true });
  say(`[${elapsed()}] perf: the ${target} gateway (${scenario.name})...`);
  const running = await startGateway(target, setup, undefined, perfNodeFlags(jitDir));
  const variants = (await answersOf(running, scenario, variables, setup.consentEngine)).map(({ body, expect }) => ({ body, expect }));
  const spec = { url: running.url, headers: running.headers, variants, connections: connectionsOf(scenario, setup.options), warmupSeconds, durationSeconds };
  await runLoad(spec);
  // Recorded inside the measured window: from half a second after the warm-up to half a second before the end.
  const seconds = Math.max(1, durationSeconds - 1);
  // The recording, the jit dump and the ELF files made from it, and perf's build-id cache: all in one directory,
  // removed once summarised (hundreds of MB).
  const recording = join(jitDir, "perf.data");
  const cacheDir = join(jitDir, "buildid-cache");
  const recorded = new Promise<void>((resolve) => setTimeout(resolve, (warmupSeconds + 0.5) * 1000)).then(() => recordPerf(running.proc.pid, seconds, recording, cacheDir));
  const [load] = await Promise.all([runLoad(spec), recorded]);
  await running.proc.stop();
  if (load.errors > 0) throw new Error(`${target} had ${load.errors} failed requests under perf: ${JSON.stringify(load.detail)}`);
  say(`[${elapsed()}]   ${load.rps.toFixed(0)} req/s`);
  const attribution = attribute(parsePerfScript(perfScript(recording, cacheDir)), repoRoot);
  rmSync(jitDir, { recursive: true, force: true });
  return { attribution, requests: load.rps * seconds };
}

/** Runs both gateways under perf and writes the comparison; its path. */
export async function perfGateways(setup: GatewaySetup & MeasureSetup, benchDir: string, scenario: Scenario, variables: readonly Record<string, unknown>[]): Promise<string> {
  const dir = join(benchDir, "profiles");
  const plain = await perfOne("plain", setup, dir, scenario, variables);
  const ndx = await perfOne("ndx", setup, dir, scenario, variables);
  const store = setup.options.auditDatabaseUrl === undefined ? "PGlite embedded" : "PostgreSQL";
  const out = join(dir, "perf.md");
  writeFileSync(out, `# Where the NDX gateway's CPU goes, from perf: single-person scenario, audit on ${store}\n\n${perfComparison(ndx, plain)}\n`);
  return out;
}
