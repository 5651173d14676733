/**
 * `npm run bench`: starts the parts (parts.ts) and the gateways on the same supergraph (gateways.ts), then for each
 * scenario (scenarios.ts) loads, in turn and with the same requests, connections, warm-up and duration:
 *
 *   direct      — the registry subgraph itself (the floor; it is sent the part of the query it resolves),
 *   plain       — graphql-yoga + @apollo/gateway, no auth, no access plugin (gateway/src/main.ts, ACCESS_CONTROL=false),
 *   ndx         — the NDX gateway with everything on: token verification, scope, consent (granted), policy, audit,
 *   hive        — Hive Gateway (the @graphql-hive/gateway CLI), no plugins,
 *   hive-rust   — the same with the Rust query planner (@graphql-hive/router-runtime),
 *   hive-router — Hive Router (Rust), when its binary is there (HIVE_ROUTER_BIN or on PATH).
 *
 * measuring each part's CPU per request (measure.ts); then the latency view at a fixed offered load (latencyView.ts),
 * the access plugin's micro-benchmark (pluginBench.ts), issue 20's targets (targets.ts) and the report (report.ts);
 * with --profile or --perf, the gateways again under a profiler (profiling.ts, perfProfiling.ts).
 * `--runs N` runs all of it N times and reports the median and spread (runMany.ts). Options: options.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ask } from "./answers.ts";
import type { ScenarioResult } from "./benchResults.ts";
import { gatewayTargets, startGateway, type GatewayTarget, type Running } from "./gateways.ts";
import { findHiveRouter } from "./hiveConfig.ts";
import { measureLatency } from "./latencyView.ts";
import { describeMachine, gitCommit, loadAverage, packageVersion } from "./machine.ts";
import { directTarget, measureTarget, type MeasureSetup } from "./measure.ts";
import { benchAssertion, benchConsumer, benchSigningKeyPem, consumerToken, fetchRegister } from "./ndx.ts";
import { listConnections, parseOptions, type BenchOptions } from "./options.ts";
import { startParts } from "./parts.ts";
import { gatewayEnv } from "./partsEnv.ts";
import { runPluginBench } from "./pluginBench.ts";
import { atExit, installSignalHandlers, repoRoot, stopAll } from "./procs.ts";
import { perfGateways } from "./perfProfiling.ts";
import { perfProblem } from "./perfRecord.ts";
import { profileGateways, summarizeProfiles, type Profiled } from "./profiling.ts";
import { elapsed, fail, failOnUnhandled, say, startedAt } from "./progress.ts";
import { roundOrder, waitForQuiet } from "./quiet.ts";
import { renderMarkdown } from "./report.ts";
import { ratiosOf, saveResults } from "./results.ts";
import { combineRounds } from "./rounds.ts";
import { runMany } from "./runMany.ts";
import { scenarios, type Target } from "./scenarios.ts";
import { evaluateTargets } from "./targets.ts";

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
// Said before anything starts, not after minutes of measuring.
const perfRefused = options.perf ? perfProblem() : undefined;
if (perfRefused !== undefined) {
  say(`--perf: ${perfRefused}`);
  process.exit(2);
}
const benchDir = resolve(import.meta.dirname, "..");
if (options.runs > 1) {
  const ok = await runMany(options.runs, process.argv.slice(2), benchDir, !options.noSave && options.scenario === undefined).then(
    () => true,
    (error: unknown) => (say(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`), false),
  );
  process.exit(ok ? 0 : 1);
}

installSignalHandlers();
failOnUnhandled();
const loadAtStart = loadAverage();
if (loadAtStart > availableParallelism()) {
  say(`warning: the machine is busy (load average ${loadAtStart} on ${availableParallelism()} cores): absolute numbers will be low`);
}
const work = mkdtempSync(join(tmpdir(), "ndx-bench-"));
if (!options.keep) atExit(() => rmSync(work, { recursive: true, force: true }));
say(
  `[${elapsed()}] data in ${work}; ${options.connections} connections (list scenario: ${listConnections(options.connections)}), ` +
    `${options.warmupSeconds} s warm-up, ${options.durationSeconds} s measured; adapters' cache: ${options.adapterCache}`,
);

const parts = await startParts(work, options).catch(fail);
say(`[${elapsed()}] subgraphs, simulators, identity provider, exchange, time-stamping authority and consent engine ready`);
const consentEngine = { url: parts.urls["consent-engine"] ?? "", serviceToken: parts.secrets.consentServiceToken };
const token = await consumerToken(parts.urls["identity-provider"] ?? "", benchConsumer);

if (options.serve) {
  // For experiments by hand: the parts stay up until Ctrl-C. A gateway started by hand must sign with the bench's key
  // and present this run's secrets (`gatewayEnv`); the NDX gateway also needs EXCHANGE_URL and AUDIT_TSA_URL.
  const shared = gatewayEnv(parts.secrets, benchSigningKeyPem);
  const { urls, policy } = parts;
  process.stdout.write(`${JSON.stringify({ urls, audience: `${urls["gateway"]}/graphql`, token, work, policy, gatewaySigningKey: benchSigningKeyPem, gatewayEnv: shared })}\n`);
  await new Promise(() => undefined);
}

const hiveRouterBin = (() => {
  try {
    return findHiveRouter(options.hiveRouterBin, options.searchPath);
  } catch (error) {
    return fail(error);
  }
})();
if (hiveRouterBin === undefined) say(`[${elapsed()}] Hive Router: no binary (HIVE_ROUTER_BIN, or hive_router on PATH): left out (bench/README.md says how to build it)`);
const setup = { parts, options, work, token, hiveRouterBin, consentEngine };
const measureSetup: MeasureSetup = setup;
const targets = gatewayTargets(hiveRouterBin);
const gateways = new Map<GatewayTarget, Running>();
await Promise.all(targets.map(async (target) => gateways.set(target, await startGateway(target, setup).catch(fail))));
say(`[${elapsed()}] gateways ready: ${targets.join(", ")}`);

// After the gateways: the registry checks every caller assertion against the NDX gateway's JWKS.
const registryClient = async (query: string): Promise<unknown> => {
  const answer = await ask(`${parts.urls["registry"]}/graphql`, { authorization: `Bearer ${await benchAssertion("registry")}` }, JSON.stringify({ query }));
  if (answer.json?.data == null) throw new Error(`the registry does not answer ${query}: ${answer.text.slice(0, 300)}`);
  return answer.json.data;
};
const variablesOf = new Map<string, Record<string, unknown>[]>();
for (const scenario of scenarios) variablesOf.set(scenario.name, await scenario.variables(registryClient));

// Work left from before the bench (a test run, a build) or from starting the parts must not land on the first targets.
const quiet = await waitForQuiet();
say(`[${elapsed()}] cores ${Math.round(quiet.idle * 100)} % idle${quiet.waitedMs > 1000 ? ` after waiting ${Math.round(quiet.waitedMs / 1000)} s` : ""}${quiet.quiet ? "" : ": going on"}`);

const chosen = scenarios.filter((s) => options.scenario === undefined || s.name === options.scenario);
const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  // The targets' ratios come from the single-person scenario: its gateways are measured in interleaved rounds, taking
  // turns at each position, so neither a burst of other work nor a drifting machine favours one of them.
  const rounds = scenario.name === "person" ? options.rounds : 1;
  const measured = new Map<Target, ScenarioResult[]>();
  const reference: { data?: unknown } = {};
  for (let round = 1; round <= rounds; round += 1) {
    const order: Target[] = [...(round === 1 ? (["direct"] as const) : []), ...roundOrder(targets, round)];
    for (const target of order) {
      const running = target === "direct" ? await directTarget(parts, startedAt) : gateways.get(target);
      if (running === undefined) fail(new Error(`${target} is not running`));
      const label = rounds > 1 ? ` (round ${round} of ${rounds})` : "";
      const result = await measureTarget(measureSetup, running, scenario, variablesOf.get(scenario.name) ?? [], reference, label).catch(fail);
      measured.set(target, [...(measured.get(target) ?? []), result]);
    }
  }
  for (const runs of measured.values()) results.push(combineRounds(runs));
}

const person = scenarios.find((s) => s.name === "person");
const plain = gateways.get("plain");
const ndx = gateways.get("ndx");
const latency =
  options.rate > 0 && person !== undefined && chosen.includes(person) && plain !== undefined && ndx !== undefined
    ? await measureLatency(measureSetup, [plain, ndx], person, variablesOf.get("person") ?? []).catch(fail)
    : [];
await Promise.all([...gateways.values()].map((g) => g.proc.stop()));

say(`[${elapsed()}] access plugin micro-benchmark...`);
const plugin = await runPluginBench(parts, variablesOf.get("person")?.[0]?.["nic"]).catch(fail);
say(`[${elapsed()}]   scope + consent (warm) + policy: p50 ${plugin.p50Us} µs, p99 ${plugin.p99Us} µs`);

const profiles: Profiled[] = options.profile && person !== undefined ? await profileGateways(setup, benchDir, person, variablesOf.get("person") ?? []).catch(fail) : [];
const perfReport = options.perf && person !== undefined ? await perfGateways(setup, benchDir, person, variablesOf.get("person") ?? []).catch(fail) : undefined;

const versionOf = (pkg: string) => packageVersion(repoRoot, pkg);
const measuredPart = { scenarios: results, latency, plugin };
const output = {
  date: new Date().toISOString(),
  commit: gitCommit(repoRoot),
  machine: describeMachine(loadAtStart, quiet),
  settings: {
    connections: options.connections,
    connectionsList: listConnections(options.connections),
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    loadGenerator: `autocannon ${versionOf("autocannon")} (separate process); latency view: fixed-rate undici ${versionOf("undici")}`,
    auditStore: options.auditDatabaseUrl === undefined ? "PGlite (embedded, the default)" : "PostgreSQL (--audit-database-url)",
    adapterCache: options.adapterCache,
    latencyRate: options.rate,
    versions: {
      "@apollo/gateway": versionOf("@apollo/gateway"),
      "graphql-yoga": versionOf("graphql-yoga"),
      "@graphql-hive/gateway": versionOf("@graphql-hive/gateway"),
      "@graphql-hive/router-runtime": versionOf("@graphql-hive/router-runtime"),
      ...(hiveRouterBin === undefined ? {} : { "hive-router": hiveRouterBin }),
    },
    policyRevision: parts.policy.revision,
    registerRevision: (await fetchRegister(parts.urls["exchange"] ?? "", parts.secrets.exchangeServiceToken)).revision,
  },
  ...measuredPart,
  ...ratiosOf(results, chosen.map((s) => s.name)),
  targets: evaluateTargets(measuredPart),
  seconds: Math.round((Date.now() - startedAt) / 1000),
};

const markdown = renderMarkdown(output);
process.stdout.write(`\n${markdown}\n`);
if (options.out !== undefined) writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
if (!options.noSave && options.scenario === undefined) {
  const dated = saveResults(benchDir, output, markdown);
  say(`Results: bench/results/latest.json, bench/results/${dated}, bench/results/latest.md`);
}
summarizeProfiles(profiles);
if (perfReport !== undefined) say(`perf, NDX − plain by thread and by piece of NDX code: ${perfReport}`);
say(`[${elapsed()}] done in ${output.seconds} s`);
await stopAll(0);
