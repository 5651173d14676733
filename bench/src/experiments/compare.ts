/**
 * PROTOTYPE: A/B runs of gateway variants against parts started by `node bench/src/run.ts --serve` (its JSON line in
 * a file), in rounds, interleaved, so that the machine's drift falls on every variant alike. Single-person scenario.
 *
 *   node bench/src/experiments/compare.ts <serve.json> <rounds> <variant>...
 *   variant: plain | ndx | hive | name=ENV1:v1,ENV2:v2 (gatewayVariant.ts with those settings; access on unless
 *   ACCESS_CONTROL:false). Compared by the gateway's CPU time per request, which other work on the machine disturbs
 *   far less than throughput.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { LoadResult, LoadSpec } from "../load.ts";
import { benchConsumer, benchPurpose, consumerToken, grantConsent, subgraphToken } from "../ndx.ts";
import { freePort, installSignalHandlers, peakRssMb, repoRoot, startNode, stopAll, waitReady } from "../procs.ts";
import { requestBody, scenarios } from "../scenarios.ts";

installSignalHandlers();
const [file, roundsArg, ...variantArgs] = process.argv.slice(2);
const serve = JSON.parse(readFileSync(file ?? "", "utf8")) as {
  urls: Record<string, string>;
  audience: string;
  token: string;
  work: string;
  activePolicy: string;
};
const rounds = Number(roundsArg ?? "1");
const duration = Number(process.env["BENCH_DURATION"] ?? "10");
const warmup = Number(process.env["BENCH_WARMUP"] ?? "3");
const scenario = scenarios[0];
if (scenario === undefined) throw new Error("no scenario");
const { urls } = serve;

async function ask(url: string, headers: Record<string, string>, body: string) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } };
}

const registry = await ask(`${urls["registry"]}/graphql`, { authorization: `Bearer ${subgraphToken}` }, JSON.stringify({ query: "{ people(first: 64) { edges { node { nic } } } }" }));
const nics = (registry.json.data as { people: { edges: { node: { nic: string } }[] } }).people.edges.map((e) => e.node.nic);

const results = new Map<string, number[]>();
let token = "";
let tokenAt = 0;
for (let round = 0; round < rounds; round += 1) {
  for (const arg of variantArgs) {
    const [name = arg, settings = ""] = arg.split("=", 2).length === 2 ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, ""];
    const extra = Object.fromEntries(settings.split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf(":")), kv.slice(kv.indexOf(":") + 1)] as const));
    const plain = name === "plain" || name === "hive" || extra["ACCESS_CONTROL"] === "false";
    const entry = name === "plain" || name === "ndx" ? "gateway/src/main.ts" : "bench/src/experiments/gatewayVariant.ts";
    const port = plain ? await freePort() : Number(new URL(serve.audience).port);
    const env: Record<string, string> = {
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      NDX_ENV: "development",
      PORT: String(port),
      HOST: "127.0.0.1",
      REGISTRY_URL: `${urls["registry"]}/graphql`,
      DRP_URL: `${urls["drp-rest"]}/graphql`,
      DMT_URL: `${urls["dmt-soap"]}/graphql`,
      ACCESS_CONTROL: plain ? "false" : "true",
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      OIDC_AUDIENCE: serve.audience,
      CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
      POLICY_DIR: serve.activePolicy,
      PGLITE_DIR: `${serve.work}/exp-${Date.now()}`,
      ...extra,
    };
    const base = `http://127.0.0.1:${port}`;
    const startedAt = Date.now();
    let proc;
    if (name === "hive") {
      const config = `${serve.work}/hive-exp.config.mjs`;
      const entries = Object.fromEntries(
        ["registry", "drp-rest", "dmt-soap"].map((s) => [
          s === "drp-rest" ? "drp" : s === "dmt-soap" ? "dmt" : s,
          { location: `${urls[s]}/graphql`, headers: [["authorization", `Bearer ${subgraphToken}`]] },
        ]),
      );
      writeFileSync(config, `export const gatewayConfig = ${JSON.stringify({ transportEntries: entries })};\n`);
      proc = startNode({
        name,
        args: [resolve(repoRoot, "node_modules/@graphql-hive/gateway/dist/bin.js"), "supergraph", resolve(repoRoot, "schema/supergraph.graphql"), "--port", String(port), "--host", "127.0.0.1", "-c", config],
        env: { NODE_ENV: "production", LOG_LEVEL: "warn", FORK: "1" },
      });
      await waitReady(proc, `${base}/readiness`, 120_000);
    } else {
      const dir = process.env["EXP_PROFILE_DIR"];
      const nodeFlags = dir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${round + 1}.cpuprofile`, "--cpu-prof-interval=250"];
      proc = startNode({ name, args: [resolve(repoRoot, entry)], env, nodeFlags });
      await waitReady(proc, `${base}/ready`, 120_000);
    }
    if (Date.now() - tokenAt > 5 * 60_000) {
      token = await consumerToken(urls["identity-provider"] ?? "", benchConsumer);
      tokenAt = Date.now();
    }
    const headers: Record<string, string> = plain ? {} : { authorization: `Bearer ${token}`, "x-purpose": benchPurpose };
    const variants: { body: string; expect: string }[] = [];
    for (const nic of nics) {
      const body = requestBody(scenario.query, { nic });
      let got = await ask(`${base}/graphql`, headers, body);
      const first = got.json.errors?.[0];
      if (first?.extensions?.["code"] === "CONSENT_REQUIRED") {
        await grantConsent(urls["consent-engine"] ?? "", String(first.extensions["consentRequestId"]), nic);
        got = await ask(`${base}/graphql`, headers, body);
      }
      if (got.status !== 200 || got.json.errors !== undefined) throw new Error(`${name}: ${got.text.slice(0, 300)}`);
      variants.push({ body, expect: got.text });
    }
    const spec: LoadSpec = {
      url: `${base}/graphql`,
      headers,
      variants,
      connections: 16,
      warmupSeconds: warmup,
      durationSeconds: duration,
      watch: [{ name: "gateway", pid: proc.pid }],
    };
    if (process.env["EXP_ECHO"] === "1") proc.child.stderr?.on("data", (d: Buffer) => process.stderr.write(`  ${name}: ${d.toString()}`));
    process.stderr.write(`${name}: load starts ${((Date.now() - startedAt) / 1000 + warmup).toFixed(1)} s after the start (profile --from)\n`);
    const loader = startNode({ name: "load", args: [resolve(repoRoot, "bench/src/load.ts"), JSON.stringify(spec)], mayExit: true });
    await loader.exited;
    const line = loader.tail().split("\n").reverse().find((l) => l.startsWith("{")) ?? "{}";
    const load = JSON.parse(line) as LoadResult;
    const rss = peakRssMb(proc.pid);
    await proc.stop();
    if (load.errors > 0) throw new Error(`${name}: ${load.errors} errors ${JSON.stringify(load.detail)}`);
    const cpu = load.cpuMsPerRequest["gateway"] ?? Number.NaN;
    results.set(name, [...(results.get(name) ?? []), cpu]);
    process.stderr.write(`round ${round + 1} ${name}: ${load.rps} req/s, gateway CPU ${cpu} ms/request, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, peak RSS ${rss} MB\n`);
  }
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] ?? 0) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
const firstName = [...results.keys()][0] ?? "";
const reference = median(results.get(firstName) ?? [1]);
for (const [name, values] of results) {
  process.stdout.write(
    `${name.padEnd(24)} gateway CPU median ${median(values).toFixed(3).padStart(7)} ms/request  (${values.join(", ")})  × ${(median(values) / reference).toFixed(2)} of ${firstName}\n`,
  );
}
await stopAll(0);
