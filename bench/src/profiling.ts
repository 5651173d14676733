/**
 * `--profile`: after the bench, the plain, NDX and Hive gateways run again, each started afresh under node's CPU
 * profiler, under the single-person load; the profiles go to bench/profiles/ and are summarised (profile.ts) for the
 * measured window only (not start-up, not the warm-up).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type GatewaySetup } from "./gateways.ts";
import { answersOf, connectionsOf, runLoad, type MeasureSetup } from "./measure.ts";
import { summarizeProfile, type CpuProfile } from "./profile.ts";
import { elapsed, say } from "./progress.ts";
import type { Scenario } from "./scenarios.ts";

export interface Profiled {
  readonly target: string;
  readonly file: string;
  readonly fromMs: number;
  readonly rps: number;
}

export async function profileGateways(setup: GatewaySetup & MeasureSetup, benchDir: string, scenario: Scenario, variables: readonly Record<string, unknown>[]): Promise<Profiled[]> {
  const profileDir = join(benchDir, "profiles");
  mkdirSync(profileDir, { recursive: true });
  const out: Profiled[] = [];
  const { warmupSeconds, durationSeconds } = setup.options;
  for (const target of ["plain", "ndx", "hive"] as const) {
    say(`[${elapsed()}] profiling the ${target} gateway (${scenario.name})...`);
    const running = await startGateway(target, setup, profileDir);
    const variants = await answersOf(running, scenario, variables, setup.consentEngine);
    const fromMs = Date.now() - running.startedAt + warmupSeconds * 1000;
    const load = await runLoad({
      url: running.url,
      headers: running.headers,
      variants: variants.map(({ body, expect }) => ({ body, expect })),
      connections: connectionsOf(scenario, setup.options),
      warmupSeconds,
      durationSeconds,
    });
    await running.proc.stop();
    if (load.errors > 0) throw new Error(`${target} had ${load.errors} failed requests while profiled: ${JSON.stringify(load.detail)}`);
    out.push({ target, file: join(profileDir, `${target}.cpuprofile`), fromMs, rps: load.rps });
    say(`[${elapsed()}]   ${load.rps.toFixed(0)} req/s under the profiler`);
  }
  return out;
}

/** Writes each profile's summary beside it (<target>.summary.md). */
export function summarizeProfiles(profiles: readonly Profiled[]): void {
  for (const { target, file, fromMs, rps } of profiles) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, { top: 30, fromMs });
    const out = file.replace(/\.cpuprofile$/, ".summary.md");
    writeFileSync(out, `# CPU profile: ${target} gateway, single-person scenario, ${rps.toFixed(0)} req/s under the profiler\n\n${summary}`);
    say(`Profile summary (${target}): ${out}`);
  }
}
