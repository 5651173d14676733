/**
 * `npm run load -w @ndx/dmt-soap -- [--adapter dmt|drp] [--nics 50] [--connections 4] [--duration 10] [--warmup 3]
 * [--profile <dir>] [--cache-ttl-ms 0]`: one adapter and its legacy simulator as separate processes (production
 * settings, logs at warn), sent the gateway's `_entities` call for `--nics` people at a time (turning through 800
 * seeded citizens) with a caller assertion this script signs, and what each process spent: CPU ms per request and per
 * legacy call (`ndx_legacy_calls_total` from the adapter's /metrics). For measuring the adapter path alone; the whole
 * system is `npm run bench`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createCallerAssertionSigner, defaultFixturesFile, generateGatewaySigningKey } from "@ndx/platform";

const { values: flags } = parseArgs({
  options: {
    adapter: { type: "string", default: "dmt" },
    nics: { type: "string", default: "50" },
    connections: { type: "string", default: "4" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    profile: { type: "string" },
    "cache-ttl-ms": { type: "string", default: "0" },
  },
});
const adapter = flags.adapter === "drp" ? "drp" : "dmt";
const perRequest = Number(flags.nics);
const root = resolve(import.meta.dirname, "../../..");
const parts = {
  dmt: { simulator: "simulators/dmt-legacy/src/main.ts", adapter: "adapters/dmt-soap/src/main.ts", prefix: "DMT_LEGACY", path: "", selection: "vehicles { regNo make model year }" },
  drp: { simulator: "simulators/drp-legacy/src/main.ts", adapter: "adapters/drp-rest/src/main.ts", prefix: "DRP_LEGACY", path: "", selection: "registeredName permanentAddress profession" },
}[adapter];

const secret = "load-script-secret-7f1c2a";
const key = generateGatewaySigningKey();
const signer = createCallerAssertionSigner({ key, lifetimeSeconds: 3600 });
const jwks = createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(signer.jwks)));
await new Promise<void>((done) => jwks.listen(0, "127.0.0.1", done));
const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((child) => child.kill()));

const simulatorPort = await freePort();
const adapterPort = await freePort();
const base = { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" };
const profile = (name: string) =>
  flags.profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${resolve(flags.profile)}`, `--cpu-prof-name=${adapter}-${name}.cpuprofile`];
start(parts.simulator, {
  ...base,
  PORT: String(simulatorPort),
  DMT_LEGACY_PASSWORD: secret,
  DRP_LEGACY_API_KEYS: secret,
  DRP_LEGACY_RATE_PER_SECOND: "1000000",
  DRP_LEGACY_RATE_BURST: "1000000",
}, profile("simulator"));
await ready(`http://127.0.0.1:${simulatorPort}/${adapter === "dmt" ? "dmt?wsdl" : "openapi.json"}`);
const adapterProcess = start(
  parts.adapter,
  {
    ...base,
    NDX_ENV: "production",
    PORT: String(adapterPort),
    GATEWAY_JWKS_URL: jwksUrl,
    [`${parts.prefix}_URL`]: `http://127.0.0.1:${simulatorPort}`,
    [`${parts.prefix}_CACHE_TTL_MS`]: flags["cache-ttl-ms"],
    DMT_LEGACY_PASSWORD: secret,
    DRP_LEGACY_API_KEY: secret,
  },
  profile("adapter"),
);
const adapterUrl = `http://127.0.0.1:${adapterPort}`;
await ready(`${adapterUrl}/health`);

const canonical = loadFarajaland(defaultFixturesFile).citizens;
const nics = generateCitizens({ count: 10_000, reserved: canonical }).slice(0, 800).map((c) => c.nic);
const query = `query($representations:[_Any!]!){_entities(representations:$representations){...on Person{${parts.selection}}}}`;
const bodies = Array.from({ length: nics.length / perRequest }, (_, i) =>
  JSON.stringify({ query, variables: { representations: nics.slice(i * perRequest, (i + 1) * perRequest).map((nic) => ({ __typename: "Person", nic })) } }),
);
const authorization = `Bearer ${await signer.sign(adapter, undefined)}`;

await drive(Number(flags.warmup) * 1000);
const before = { cpu: cpuMs(children), calls: await legacyCalls() };
const started = performance.now();
const done = await drive(Number(flags.duration) * 1000);
const seconds = (performance.now() - started) / 1000;
const after = { cpu: cpuMs(children), calls: await legacyCalls() };
const calls = after.calls - before.calls;
const [simulatorCpu, adapterCpu] = after.cpu.map((ms, i) => ms - (before.cpu[i] ?? 0)) as [number, number];
console.log(
  JSON.stringify({
    adapter,
    nicsPerRequest: perRequest,
    cacheTtlMs: Number(flags["cache-ttl-ms"]),
    requestsPerSecond: round(done / seconds),
    legacyCallsPerRequest: round(calls / done),
    adapterCpuMsPerRequest: round(adapterCpu / done),
    adapterCpuMsPerLegacyCall: calls === 0 ? null : round(adapterCpu / calls, 3),
    simulatorCpuMsPerRequest: round(simulatorCpu / done),
  }),
);
jwks.close();
adapterProcess.kill("SIGTERM");
await new Promise((done) => adapterProcess.once("exit", done));
process.exit(0);

function start(entry: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, resolve(root, entry)], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  return child;
}

async function drive(ms: number): Promise<number> {
  const until = performance.now() + ms;
  let count = 0;
  let next = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const body = bodies[next++ % bodies.length] as string;
      const answer = await fetch(`${adapterUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization }, body });
      const text = await answer.text();
      if (answer.status !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${answer.status}: ${text.slice(0, 300)}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: Number(flags.connections) }, worker));
  return count;
}

async function legacyCalls(): Promise<number> {
  const text = await (await fetch(`${adapterUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) if (line.startsWith("ndx_legacy_calls_total{")) total += Number(line.split(" ").at(-1));
  return total;
}

/** User + system CPU of each process so far, in ms (Linux /proc, 100 ticks a second). */
function cpuMs(processes: readonly ChildProcess[]): number[] {
  return processes.map((child) => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  });
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
