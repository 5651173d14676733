/**
 * Measuring one target in one scenario: its correct answers first (every measured response must equal them; plain,
 * NDX and the Hive peers must agree), then the load (load.ts, a separate process) with every part's CPU (process tree)
 * and the legacy simulators' call counts over the measured window, the serving process's peak RSS and, for NDX, the
 * audit's events per INSERT.
 */
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { expectedAnswers, type Variant } from "./answers.ts";
import type { ScenarioResult } from "./benchResults.ts";
import { allPartsMs, type Part } from "./cpuAccounting.ts";
import type { Running } from "./gateways.ts";
import type { Counter } from "./legacyCalls.ts";
import type { LoadResult, LoadSpec } from "./load.ts";
import { auditCounts, benchAssertion, type ConsentEngine } from "./ndx.ts";
import { listConnections, type BenchOptions } from "./options.ts";
import type { Parts } from "./parts.ts";
import { childrenOf, peakRssMb, resetPeakRss, startNode, stopping, untilExit } from "./procs.ts";
import { elapsed, say } from "./progress.ts";
import type { Scenario } from "./scenarios.ts";

export interface MeasureSetup {
  readonly parts: Parts;
  readonly options: BenchOptions;
  readonly consentEngine: ConsentEngine;
}

export const connectionsOf = (scenario: Scenario, options: BenchOptions) => (scenario.name === "people" ? listConnections(options.connections) : options.connections);

export async function answersOf(running: Running, scenario: Scenario, variables: readonly Record<string, unknown>[], consentEngine: ConsentEngine): Promise<Variant[]> {
  const { variants, granted } = await expectedAnswers(running, scenario, variables, consentEngine);
  if (granted > 0) say(`[${elapsed()}]   consent granted for ${granted} citizens`);
  return variants;
}

/** Runs the load generator in its own process. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = startNode({ name: "load generator", args: [resolve(import.meta.dirname, "load.ts"), JSON.stringify(spec)], mayExit: true });
  const code = await proc.exited;
  if (stopping()) return untilExit();
  const line = proc.tail().split("\n").reverse().find((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) throw new Error(`the load generator failed (exit ${code}):\n${proc.tail()}`);
  return JSON.parse(line) as LoadResult;
}

/** The registry subgraph as a target of its own (the floor). */
export async function directTarget(parts: Parts, startedAt: number): Promise<Running> {
  const registry = parts.procs.get("registry");
  if (registry === undefined) throw new Error("the registry is not running");
  return { target: "direct", proc: registry, startedAt, url: `${parts.urls["registry"]}/graphql`, headers: { authorization: `Bearer ${await benchAssertion("registry")}` } };
}

/** Every part whose CPU counts: the serving gateway as "gateway" (none for direct: the registry serves) and each backing part. */
function watchedParts(running: Running, parts: Parts): Part[] {
  const backing = [...parts.procs.entries()].map(([name, p]) => ({ name, pid: p.pid }));
  return running.target === "direct" ? backing : [{ name: "gateway", pid: running.proc.pid }, ...backing];
}

/** The legacy simulators' served-calls counters. */
function legacyCounters(parts: Parts): Counter[] {
  return ["dmt-legacy", "drp-legacy"].filter((n) => parts.urls[n] !== undefined).map((name) => ({ name, url: `${parts.urls[name]}/metrics` }));
}

export async function measureTarget(
  setup: MeasureSetup,
  running: Running,
  scenario: Scenario,
  variables: readonly Record<string, unknown>[],
  reference: { data?: unknown },
  label: string,
): Promise<ScenarioResult> {
  const { target } = running;
  const variants = await answersOf(running, scenario, variables, setup.consentEngine);
  if (target !== "direct") {
    // Every gateway must give the same data for the same requests.
    const data = variants.map((v) => v.data);
    if (reference.data === undefined) reference.data = data;
    else if (!isDeepStrictEqual(reference.data, data)) throw new Error(`${target} (${scenario.name}) answers different data than the first gateway measured`);
  }
  const { warmupSeconds, durationSeconds } = setup.options;
  const conns = connectionsOf(scenario, setup.options);
  say(`[${elapsed()}] ${scenario.name} → ${target}: ${conns} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s, ${variants.length} variants${label}`);
  const resetOk = await resetPeakRss(running.proc.pid);
  const auditBefore = target === "ndx" ? await auditCounts(running.url) : undefined;
  const load = await runLoad({
    url: running.url,
    headers: running.headers,
    variants: variants.map(({ body, expect }) => ({ body, expect })),
    connections: conns,
    warmupSeconds,
    durationSeconds,
    watch: watchedParts(running, setup.parts),
    counters: legacyCounters(setup.parts),
  });
  const rssMb = peakRssMb(running.proc.pid);
  if (auditBefore !== undefined) {
    const after = await auditCounts(running.url);
    const inserts = after.writes - auditBefore.writes;
    if (inserts > 0) say(`  audit: ${((after.events - auditBefore.events) / inserts).toFixed(1)} events per INSERT (${inserts} INSERTs)`);
  }
  const servingCpu = load.cpuMsPerRequest[target === "direct" ? "registry" : "gateway"] ?? Number.NaN;
  const allCpu = allPartsMs(load.cpuMsPerRequest);
  if (setup.options.verbose) say(`  CPU ms/request by part: ${JSON.stringify(load.cpuMsPerRequest)}; legacy calls/request: ${JSON.stringify(load.countsPerRequest)}`);
  if (load.errors > 0 || load.requests === 0) {
    throw new Error(
      `${target} (${scenario.name}) had ${load.errors} failed requests (${load.requests} good ones in the measured window): ${JSON.stringify(load.detail)} — not a result`,
    );
  }
  const forked = childrenOf(running.proc.pid);
  if (forked.length > 0) say(`  note: ${target} has child processes ${forked.join(", ")}; their CPU counts in its process tree, its peak RSS is the main process's`);
  if (!resetOk) say(`  note: could not reset the peak RSS of ${target}: it covers the process's whole life`);
  say(
    `[${elapsed()}]   ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.requests} requests, 0 errors, ` +
      `peak RSS ${rssMb} MB, CPU ${servingCpu.toFixed(2)} ms/request (all parts ${allCpu.toFixed(2)})`,
  );
  return {
    scenario: scenario.name,
    target,
    rps: load.rps,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    errors: load.errors,
    rssMb,
    connections: conns,
    requests: load.requests,
    cpuMsPerRequest: { serving: servingCpu, allParts: allCpu, parts: load.cpuMsPerRequest },
    legacyCallsPerRequest: load.countsPerRequest,
  };
}
