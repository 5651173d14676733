/**
 * `npm run bench`: starts the subgraphs (the registry with the normal seed in a temporary data dir, the adapters and
 * the legacy simulators with no injected latency, the identity provider, the exchange subgraph whose register gives the
 * policy its consumers, the time-stamping authority and the consent engine) and three gateways on
 * the same supergraph, then for each scenario loads, in turn and with the same requests, connections, warm-up and
 * duration:
 *
 *   direct — the registry subgraph itself (the floor; it is sent the part of the query it resolves),
 *   plain  — graphql-yoga + @apollo/gateway, no auth, no access plugin (gateway/src/main.ts with ACCESS_CONTROL=false),
 *   ndx    — the NDX gateway with everything on: token verification, scope, consent (granted), policy, audit,
 *   hive   — Hive Gateway (the @graphql-hive/gateway CLI), no plugins.
 *
 * The load comes from a separate process (load.ts, autocannon). Peak RSS is the serving process's VmHWM over the
 * run (reset before it). Any error, non-200 or wrong body fails the bench, naming the target. Then the access
 * plugin's micro-benchmark (micro.ts), in-process. Results go to bench/results/ (see bench/README.md).
 *
 * Options (or BENCH_* variables): --connections 16 (the list scenario uses a quarter: each of its requests fans out
 * into 50 SOAP calls), --duration 10, --warmup 3, --rounds 3 (interleaved rounds of the gateways, taking turns at
 * each position, in the single-person scenario, whose ratios are the targets), --audit-database-url postgres://… (the NDX gateway's audit on PostgreSQL, as
 * in production, instead of PGlite), --scenario person|people (print only), --profile (then also CPU
 * profiles of the three gateways under the person scenario, summarised in bench/profiles/), --no-save, --keep (the
 * temporary data dir), --serve (start the parts and wait, for experiments by hand), --verbose.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { freePort } from "@ndx/platform/dev";
import { services } from "../../scripts/services.ts";
import type { LoadResult, LoadSpec } from "./load.ts";
import type { MicroResult, MicroSpec } from "./micro.ts";
import {
  auditCounts,
  benchAssertion,
  benchConsumer,
  benchPurpose,
  benchSigningKeyPem,
  buildPolicyBundle,
  consumerToken,
  fetchRegister,
  writeBenchExchangeSeed,
} from "./ndx.ts";
import {
  atExit,
  childrenOf,
  installSignalHandlers,
  peakRssMb,
  repoRoot,
  resetPeakRss,
  startNode,
  stopAll,
  stopping,
  untilExit,
  waitReady,
  type Proc,
} from "./procs.ts";
import { describeMachine, gitCommit, loadAverage, packageVersion } from "./machine.ts";
import { summarizeProfile, type CpuProfile } from "./profile.ts";
import { roundOrder, waitForQuiet } from "./quiet.ts";
import { renderMarkdown, type BenchResults, type ScenarioResult } from "./report.ts";
import { benchSecrets, gatewayEnv, partEnv } from "./partsEnv.ts";
import { ratiosOf, saveResults } from "./results.ts";
import { combineRounds } from "./rounds.ts";
import { ask, expectedAnswers, type Variant } from "./answers.ts";
import { benchCitizen, scenarios, type Scenario, type Target } from "./scenarios.ts";

const { values: flags } = parseArgs({
  options: {
    connections: { type: "string", default: process.env["BENCH_CONNECTIONS"] ?? "16" },
    duration: { type: "string", default: process.env["BENCH_DURATION"] ?? "10" },
    warmup: { type: "string", default: process.env["BENCH_WARMUP"] ?? "3" },
    scenario: { type: "string" },
    profile: { type: "boolean", default: process.env["BENCH_PROFILE"] === "1" },
    "no-save": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    serve: { type: "boolean", default: false },
    rounds: { type: "string", default: process.env["BENCH_ROUNDS"] ?? "3" },
    "audit-database-url": { type: "string", default: process.env["BENCH_AUDIT_DATABASE_URL"] },
  },
});
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const warmupSeconds = Number(flags.warmup);
const roundCount = Number(flags.rounds);
for (const [name, value] of Object.entries({ connections, durationSeconds, warmupSeconds, roundCount })) {
  if (!Number.isInteger(value) || value < (name === "warmupSeconds" ? 0 : 1)) {
    process.stderr.write(`${name} must be a positive integer\n`);
    process.exit(2);
  }
}
const connectionsOf = (scenario: Scenario) => (scenario.name === "people" ? Math.max(1, Math.round(connections / 4)) : connections);
const started = Date.now();
const benchDir = resolve(import.meta.dirname, "..");
const supergraphFile = resolve(repoRoot, "schema/supergraph.graphql");

const say = (line: string) => process.stderr.write(`${line}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;

installSignalHandlers();
// A failure (or the stop itself: requests cut off by Ctrl-C) stops everything in order; stopAll then exits.
const onFailure = (error: unknown) => {
  if (stopping()) return;
  say(`\nBENCH FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void stopAll(1);
};
process.on("unhandledRejection", onFailure);
process.on("uncaughtException", onFailure);

function fail(error: unknown): never {
  if (stopping()) throw error;
  say(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
  // stopAll exits; this keeps TypeScript's flow analysis honest.
  throw error;
}

const loadAtStart = loadAverage();
if (loadAtStart > availableParallelism()) {
  say(`warning: the machine is busy (load average ${loadAtStart} on ${availableParallelism()} cores): absolute numbers will be low`);
}
const work = mkdtempSync(join(tmpdir(), "ndx-bench-"));
if (!flags.keep) atExit(() => rmSync(work, { recursive: true, force: true }));
say(
  `[${elapsed()}] data in ${work}; ${connections} connections (list scenario: ${Math.max(1, Math.round(connections / 4))}), ` +
    `${warmupSeconds} s warm-up, ${durationSeconds} s measured`,
);

// --- the parts NDX calls -------------------------------------------------------------------------------------------

// The policy as it is; its consumers come from the bench's exchange (its register), whose seed gives the bench consumer
// bulk access for the list scenario (ndx.ts).
const policy = buildPolicyBundle(work);
const exchangeSeedFile = writeBenchExchangeSeed(work);

// Every part but the gateway (the bench starts its own three) and the console (staff pages over the gateway; nothing
// measured uses it).
const backing = services.filter((s) => s.name !== "gateway" && s.name !== "console");
const ports = new Map<string, number>();
for (const s of services) ports.set(s.name, await freePort());
const urls: Record<string, string> = Object.fromEntries(services.map((s) => [s.name, `http://127.0.0.1:${ports.get(s.name)}`]));
const procs = new Map<string, Proc>();

// Generated for this run: the measured parts run as production, which requires real secrets (partsEnv.ts).
const secrets = benchSecrets();
{
  const ready = new Set<string>();
  const pending = [...backing];
  while (pending.length > 0) {
    const wave = pending.filter((s) => (s.after ?? []).every((d) => ready.has(d)));
    if (wave.length === 0) fail(new Error("scripts/services.ts has a dependency cycle"));
    await Promise.all(
      wave.map(async (s) => {
        const env: Record<string, string | undefined> = { ...partEnv(s.name, secrets), PORT: String(ports.get(s.name)), ...s.links?.(urls) };
        if (s.pglite === true) env["PGLITE_DIR"] = join(work, s.name);
        if (s.dataDirVariable !== undefined) env[s.dataDirVariable] = join(work, s.name);
        if (s.name === "exchange") {
          env["EXCHANGE_SEED_FILE"] = exchangeSeedFile;
          env["CONSENT_ENGINE_URL"] ??= urls["consent-engine"];
        }
        const proc = startNode({ name: s.name, args: [resolve(repoRoot, s.entry)], env, echo: flags.verbose });
        procs.set(s.name, proc);
        await waitReady(proc, `${urls[s.name]}/ready`, 180_000);
      }),
    );
    for (const s of wave) {
      ready.add(s.name);
      pending.splice(pending.indexOf(s), 1);
    }
  }
}
say(`[${elapsed()}] subgraphs, simulators, identity provider, exchange, time-stamping authority and consent engine ready`);
const consentEngine = { url: urls["consent-engine"] ?? "", serviceToken: secrets.consentServiceToken };
// Tokens carry the NDX gateway's URL as audience (services.ts links it to the "gateway" port, which NDX listens on).
const audience = `${urls["gateway"]}/graphql`;
const token = await consumerToken(urls["identity-provider"] ?? "", benchConsumer);

if (flags.serve) {
  // For experiments by hand: the parts stay up until Ctrl-C.
  // A gateway started by hand must sign with the bench's key (GATEWAY_SIGNING_KEY) for the subgraphs to answer it, and
  // present this run's consent engine tokens: `gatewayEnv` is what the bench gateways get (production; NDX_ENV unset);
  // the NDX gateway also needs EXCHANGE_URL and AUDIT_TSA_URL (urls.exchange, urls["time-stamping-authority"]).
  const shared = gatewayEnv(secrets, benchSigningKeyPem);
  process.stdout.write(`${JSON.stringify({ urls, audience, token, work, policy, gatewaySigningKey: benchSigningKeyPem, gatewayEnv: shared })}\n`);
  await new Promise(() => undefined);
}

// --- gateways ------------------------------------------------------------------------------------------------------

const subgraphEnv = {
  REGISTRY_URL: `${urls["registry"]}/graphql`,
  DRP_URL: `${urls["drp-rest"]}/graphql`,
  DMT_URL: `${urls["dmt-soap"]}/graphql`,
  // The exchange subgraph's base URL: /graphql is its subgraph, /v1/register* the register the NDX gateway follows.
  EXCHANGE_URL: urls["exchange"] ?? "",
};

async function hiveConfig(): Promise<string> {
  const file = join(work, "hive-gateway.config.mjs");
  const subgraphs: [name: string, location: string][] = [
    ["registry", subgraphEnv.REGISTRY_URL],
    ["drp", subgraphEnv.DRP_URL],
    ["dmt", subgraphEnv.DMT_URL],
  ];
  const entries = Object.fromEntries(
    await Promise.all(
      subgraphs.map(async ([name, location]) => [name, { location, headers: [["authorization", `Bearer ${await benchAssertion(name)}`]] }] as const),
    ),
  );
  // No plugins: only where the subgraphs are and the credential they require (as the NDX gateway sends it).
  writeFileSync(file, `export const gatewayConfig = ${JSON.stringify({ transportEntries: entries }, null, 2)};\n`);
  return file;
}

interface Running {
  readonly target: Target;
  readonly proc: Proc;
  /** When it was started (Date.now), to leave its start-up out of a CPU profile summary. */
  readonly startedAt: number;
  readonly url: string;
  readonly headers: Record<string, string>;
}

type GatewayTarget = Exclude<Target, "direct">;

async function startGateway(target: GatewayTarget, profileDir?: string): Promise<Running> {
  const startedAt = Date.now();
  const port = target === "ndx" ? (ports.get("gateway") ?? 0) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeFlags =
    profileDir === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${target}.cpuprofile`, "--cpu-prof-interval=250"];
  if (target === "hive") {
    const proc = startNode({
      name: "hive gateway",
      args: [
        resolve(repoRoot, "node_modules/@graphql-hive/gateway/dist/bin.js"),
        "supergraph",
        supergraphFile,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--config-path",
        await hiveConfig(),
      ],
      nodeFlags: ["--import", resolve(import.meta.dirname, "orphanGuard.ts"), ...nodeFlags],
      env: { NODE_ENV: "production", LOG_LEVEL: "warn", FORK: "1" },
      echo: flags.verbose,
    });
    await waitReady(proc, `${url}/readiness`, 120_000);
    return { target, proc, startedAt, url: `${url}/graphql`, headers: {} };
  }
  const shared = { ...gatewayEnv(secrets, benchSigningKeyPem), PORT: String(port), HOST: "127.0.0.1", ...subgraphEnv };
  const env =
    target === "plain"
      ? { ...shared, ACCESS_CONTROL: "false" }
      : {
          ...shared,
          ACCESS_CONTROL: "true",
          OIDC_ISSUER: urls["identity-provider"] ?? "",
          OIDC_AUDIENCE: audience,
          CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
          AUDIT_TSA_URL: urls["time-stamping-authority"] ?? "",
          POLICY_DIR: policy.dir,
          PGLITE_DIR: join(work, `gateway-${startedAt}`),
          // The production setting: the audit trail on a PostgreSQL server instead of the embedded PGlite.
          ...(flags["audit-database-url"] === undefined ? {} : { DATABASE_URL: flags["audit-database-url"] }),
        };
  const proc = startNode({ name: `${target} gateway`, args: [resolve(repoRoot, "gateway/src/main.ts")], nodeFlags, env, echo: flags.verbose });
  await waitReady(proc, `${url}/ready`, 120_000);
  const headers: Record<string, string> = target === "ndx" ? { authorization: `Bearer ${token}`, "x-purpose": benchPurpose } : {};
  return { target, proc, startedAt, url: `${url}/graphql`, headers };
}

async function answersOf(running: Running, scenario: Scenario, variables: readonly Record<string, unknown>[]): Promise<Variant[]> {
  const { variants, granted } = await expectedAnswers(running, scenario, variables, consentEngine);
  if (granted > 0) say(`[${elapsed()}]   consent granted for ${granted} citizens`);
  return variants;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = startNode({ name: "load generator", args: [resolve(import.meta.dirname, "load.ts"), JSON.stringify(spec)], mayExit: true });
  const code = await proc.exited;
  if (stopping()) return untilExit();
  const line = proc.tail().split("\n").reverse().find((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) throw new Error(`the load generator failed (exit ${code}):\n${proc.tail()}`);
  return JSON.parse(line) as LoadResult;
}

const registryClient = async (query: string): Promise<unknown> => {
  const answer = await ask(`${urls["registry"]}/graphql`, { authorization: `Bearer ${await benchAssertion("registry")}` }, JSON.stringify({ query }));
  if (answer.json?.data == null) throw new Error(`the registry does not answer ${query}: ${answer.text.slice(0, 300)}`);
  return answer.json.data;
};

const chosen = scenarios.filter((s) => flags.scenario === undefined || s.name === flags.scenario);
if (chosen.length === 0) fail(new Error(`no scenario ${flags.scenario}: person or people`));
// The three gateways, started together, each kept for both scenarios.
const gateways = new Map<GatewayTarget, Running>();
await Promise.all(
  (["plain", "ndx", "hive"] as const).map(async (target) => {
    gateways.set(target, await startGateway(target));
  }),
);
say(`[${elapsed()}] plain, NDX and Hive gateways ready`);
// After the gateways: the registry checks every caller assertion against the NDX gateway's JWKS.
const variablesOf = new Map<string, Record<string, unknown>[]>();
for (const scenario of scenarios) variablesOf.set(scenario.name, await scenario.variables(registryClient));

// Work left from before the bench (a test run, a build) or from starting the parts must not land on the first targets.
const quiet = await waitForQuiet();
say(
  `[${elapsed()}] cores ${Math.round(quiet.idle * 100)} % idle` +
    (quiet.quiet ? (quiet.waitedMs > 1000 ? ` after waiting ${Math.round(quiet.waitedMs / 1000)} s` : "") : ` after waiting ${Math.round(quiet.waitedMs / 1000)} s: going on`),
);

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  const variables = variablesOf.get(scenario.name) ?? [];
  // The ratios come from the single-person scenario: its gateways are measured in interleaved rounds, so a burst of
  // other work on the machine does not land on one target alone, and take turns at each position (plain, NDX, Hive;
  // NDX, Hive, plain; ...), so a machine that drifts during the run favours none of them.
  const rounds = scenario.name === "person" ? roundCount : 1;
  const measured = new Map<Target, ScenarioResult[]>();
  const reference: { data?: unknown } = {};
  for (let round = 1; round <= rounds; round += 1) {
    const order: Target[] = [...(round === 1 ? (["direct"] as const) : []), ...roundOrder(["plain", "ndx", "hive"] as const, round)];
    for (const target of order) {
      const result = await measureTarget(scenario, target, variables, reference, rounds > 1 ? ` (round ${round} of ${rounds})` : "");
      measured.set(target, [...(measured.get(target) ?? []), result]);
    }
  }
  for (const runs of measured.values()) results.push(combineRounds(runs));
}

async function measureTarget(
  scenario: Scenario,
  target: Target,
  variables: readonly Record<string, unknown>[],
  reference: { data?: unknown },
  label: string,
): Promise<ScenarioResult> {
  const registry = procs.get("registry");
  const running: Running =
    target === "direct"
      ? {
          target,
          proc: registry ?? fail(new Error("the registry is not running")),
          startedAt: started,
          url: `${urls["registry"]}/graphql`,
          headers: { authorization: `Bearer ${await benchAssertion("registry")}` },
        }
      : (gateways.get(target) ?? fail(new Error(`${target} is not running`)));
  const variants = await answersOf(running, scenario, variables);
  if (target !== "direct") {
    // plain, NDX and Hive must give the same data for the same requests.
    const data = variants.map((v) => v.data);
    if (reference.data === undefined) reference.data = data;
    else if (!isDeepStrictEqual(reference.data, data)) fail(new Error(`${target} (${scenario.name}) answers different data than the plain gateway`));
  }
  const conns = connectionsOf(scenario);
  say(`[${elapsed()}] ${scenario.name} → ${target}: ${conns} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s, ${variants.length} variants${label}`);
  const resetOk = await resetPeakRss(running.proc.pid);
  const auditBefore = target === "ndx" ? await auditCounts(running.url) : undefined;
  const others = [...procs.values()].filter((p) => p !== running.proc).map((p) => ({ name: p.name, pid: p.pid }));
  const load = await runLoad({
    url: running.url,
    headers: running.headers,
    variants: variants.map(({ body, expect }) => ({ body, expect })),
    connections: conns,
    warmupSeconds,
    durationSeconds,
    watch: [{ name: "serving", pid: running.proc.pid }, ...others],
  });
  const rssMb = peakRssMb(running.proc.pid);
  if (auditBefore !== undefined) {
    const after = await auditCounts(running.url);
    const inserts = after.writes - auditBefore.writes;
    if (inserts > 0) say(`  audit: ${((after.events - auditBefore.events) / inserts).toFixed(1)} events per INSERT (${inserts} INSERTs)`);
  }
  const servingCpu = load.cpuMsPerRequest["serving"] ?? Number.NaN;
  const allCpu = Object.values(load.cpuMsPerRequest).reduce((a, b) => a + b, 0);
  if (flags.verbose) say(`  CPU ms/request by part: ${JSON.stringify(load.cpuMsPerRequest)}`);
  if (load.errors > 0 || load.requests === 0) {
    fail(
      new Error(
        `${target} (${scenario.name}) had ${load.errors} failed requests (${load.requests} good ones in the measured window): ` +
          `${JSON.stringify(load.detail)} — not a result`,
      ),
    );
  }
  const forked = childrenOf(running.proc.pid);
  if (forked.length > 0) say(`  note: ${target} has child processes ${forked.join(", ")}; only its main process is measured`);
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
    cpuMsPerRequest: { serving: servingCpu, allParts: Math.round(allCpu * 1000) / 1000 },
  };
}

await Promise.all([...gateways.values()].map((g) => g.proc.stop()));

// --- the access plugin, in-process ---------------------------------------------------------------------------------

say(`[${elapsed()}] access plugin micro-benchmark...`);
const firstNic = variablesOf.get("person")?.[0]?.["nic"];
const microSubject = typeof firstNic === "string" ? firstNic : benchCitizen;
const microSpec: MicroSpec = {
  consentEngineUrl: urls["consent-engine"] ?? "",
  exchangeUrl: urls["exchange"] ?? "",
  policyDir: policy.dir,
  consumerId: benchConsumer,
  purpose: benchPurpose,
  subject: microSubject,
  query: scenarios[0]?.query ?? "",
  variables: { nic: microSubject },
  iterations: 10_000,
};
const microProc = startNode({
  name: "micro-benchmark",
  args: [resolve(import.meta.dirname, "micro.ts"), JSON.stringify(microSpec)],
  env: { BENCH_CONSENT_SERVICE_TOKEN: secrets.consentServiceToken, BENCH_EXCHANGE_SERVICE_TOKEN: secrets.exchangeServiceToken },
  mayExit: true,
});
const microCode = await microProc.exited;
if (stopping()) await untilExit();
const microLine = microProc.tail().split("\n").reverse().find((l) => l.startsWith("{"));
if (microCode !== 0 || microLine === undefined) fail(new Error(`the micro-benchmark failed (exit ${microCode}):\n${microProc.tail()}`));
const plugin = JSON.parse(microLine) as MicroResult;
say(`[${elapsed()}]   scope + consent (warm) + policy: p50 ${plugin.p50Us} µs, p99 ${plugin.p99Us} µs`);

// --- optional: CPU profiles of the three gateways under the single-person load ---------------------------------------

const profiles: { target: string; file: string; fromMs: number; rps: number }[] = [];
if (flags.profile) {
  const profileDir = join(benchDir, "profiles");
  mkdirSync(profileDir, { recursive: true });
  const scenario = scenarios[0];
  if (scenario !== undefined) {
    // The gateways start afresh here.
    for (const target of ["plain", "ndx", "hive"] as const) {
      say(`[${elapsed()}] profiling the ${target} gateway (${scenario.name})...`);
      const running = await startGateway(target, profileDir);
      const variants = await answersOf(running, scenario, variablesOf.get(scenario.name) ?? []);
      // Only the measured window goes into the summary: not start-up, not the warm-up.
      const fromMs = Date.now() - running.startedAt + warmupSeconds * 1000;
      const load = await runLoad({
        url: running.url,
        headers: running.headers,
        variants: variants.map(({ body, expect }) => ({ body, expect })),
        connections: connectionsOf(scenario),
        warmupSeconds,
        durationSeconds,
      });
      await running.proc.stop();
      if (load.errors > 0) fail(new Error(`${target} had ${load.errors} failed requests while profiled: ${JSON.stringify(load.detail)}`));
      profiles.push({ target, file: join(profileDir, `${target}.cpuprofile`), fromMs, rps: load.rps });
      say(`[${elapsed()}]   ${load.rps.toFixed(0)} req/s under the profiler`);
    }
  }
}

// --- results -------------------------------------------------------------------------------------------------------

const versionOf = (pkg: string) => packageVersion(repoRoot, pkg);
const output: BenchResults = {
  date: new Date().toISOString(),
  commit: gitCommit(repoRoot),
  machine: describeMachine(loadAtStart, quiet),
  settings: {
    connections,
    connectionsList: Math.max(1, Math.round(connections / 4)),
    warmupSeconds,
    durationSeconds,
    loadGenerator: `autocannon ${versionOf("autocannon")} (separate process)`,
    auditStore: flags["audit-database-url"] === undefined ? "PGlite (embedded, the default)" : "PostgreSQL (--audit-database-url)",
    versions: {
      "@apollo/gateway": versionOf("@apollo/gateway"),
      "graphql-yoga": versionOf("graphql-yoga"),
      "@graphql-hive/gateway": versionOf("@graphql-hive/gateway"),
    },
    policyRevision: policy.revision,
    registerRevision: (await fetchRegister(urls["exchange"] ?? "", secrets.exchangeServiceToken)).revision,
  },
  scenarios: results,
  ...ratiosOf(results, chosen.map((s) => s.name)),
  plugin,
  seconds: Math.round((Date.now() - started) / 1000),
};

const markdown = renderMarkdown(output);
process.stdout.write(`\n${markdown}\n`);
if (!flags["no-save"] && flags.scenario === undefined) {
  const dated = saveResults(benchDir, output, markdown);
  say(`Results: bench/results/latest.json, bench/results/${dated}, bench/results/latest.md`);
}
for (const { target, file, fromMs, rps } of profiles) {
  const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, { top: 30, fromMs });
  const out = file.replace(/\.cpuprofile$/, ".summary.md");
  writeFileSync(out, `# CPU profile: ${target} gateway, single-person scenario, ${rps.toFixed(0)} req/s under the profiler\n\n${summary}`);
  say(`Profile summary (${target}): ${out}`);
}
say(`[${elapsed()}] done in ${output.seconds} s`);
await stopAll(0);
