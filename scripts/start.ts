/**
 * `npm start`: every part of NDX on its default port (or `<NAME>_PORT`, checked before anything starts: ports.ts), on
 * embedded defaults (PGlite under .data/). Waits for each to be ready, prints the URLs and an example query, and keeps
 * the parts running: one that exits is restarted with backoff while the others stay up, and a crash loop stops
 * everything (supervisor.ts). Ctrl-C stops them all (PGlite flushed) before exiting. Children hold an IPC channel to
 * this process, so they also stop if it is killed outright.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { partEnvironment } from "@ndx/platform/dev";
import { buildBundle } from "@ndx/policy";
import { checkPorts, portVariable, urlsOf } from "./ports.ts";
import { services, type ServiceSpec } from "./services.ts";
import { Supervisor } from "./supervisor.ts";

// The launcher's own settings, read once here.
const root = resolve(import.meta.dirname, "..");
const dataDir = resolve(process.env["NDX_DATA_DIR"] ?? resolve(root, ".data"));
const quiet = process.env["NDX_START_QUIET"] === "1";
const host = process.env["HOST"] || "127.0.0.1";

// Every port is checked before anything starts or is built: a bad one is named at once, not after a long wait.
const portSettings = await checkPorts(services, process.env, host);
if (portSettings.problems.length > 0) {
  process.stderr.write(`npm start cannot use these ports; nothing was started:\n${portSettings.problems.map((p) => `  ${p}\n`).join("")}`);
  process.exit(2);
}
const urls = urlsOf(portSettings.ports);
const width = Math.max(...services.map((s) => s.name.length));
const supervisor = new Supervisor({
  log: (line) => process.stderr.write(`${line}\n`),
  // A restarted part is announced again once it answers /ready.
  onRestart: (name) => {
    const s = services.find((x) => x.name === name);
    if (s !== undefined) void waitReady(s).then(() => !supervisor.stopping && process.stderr.write(`[start] ${name} is ready again\n`), () => {});
  },
  onGiveUp: () => void stopAll(1, "a part is in a crash loop: stopping everything"),
});

function relay(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream) {
  if (stream === null) return;
  createInterface({ input: stream }).on("line", (line) => {
    if (quiet) return;
    out.write(`${name.padEnd(width)} | ${formatLine(line)}\n`);
  });
}

/** Pino JSON lines, shortened for a terminal: level, message, then the other fields. */
function formatLine(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const { level, msg, time: _t, service: _s, name: _n, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<
      string,
      unknown
    >;
    const levels: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${levels[Number(level)] ?? "INFO"} ${typeof msg === "string" ? msg : JSON.stringify(msg ?? "")}${extra}`;
  } catch {
    return line;
  }
}

function spawnPart(s: ServiceSpec): ChildProcess {
  const env = partEnvironment({ ...process.env, PORT: String(portSettings.ports[s.name]), ...s.links?.(urls) });
  if (s.pglite === true && env["DATABASE_URL"] === undefined) env["PGLITE_DIR"] = resolve(dataDir, s.name);
  if (s.dataDirVariable !== undefined) env[s.dataDirVariable] = resolve(dataDir, s.name);
  const child = spawn(process.execPath, [resolve(root, s.entry)], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    // Own process group: a Ctrl-C in the terminal reaches only this launcher, which stops children in order.
    detached: true,
  });
  relay(s.name, child.stdout, process.stdout);
  relay(s.name, child.stderr, process.stderr);
  return child;
}

async function waitReady(s: ServiceSpec, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "not listening";
  while (Date.now() < deadline) {
    if (supervisor.stopping) return;
    try {
      const response = await fetch(`${urls[s.name]}/ready`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
      last = `/ready answered HTTP ${response.status}`;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
      last = cause ?? (error instanceof Error ? error.message : String(error));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${s.name} was not ready at ${urls[s.name]} within ${timeoutMs / 1000} s (last: ${last})`);
}

let exiting = false;
async function stopAll(code: number, why?: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  if (why !== undefined) process.stderr.write(`[start] ${why}\n`);
  // Stop in reverse start-up order, each part once the parts that call it have exited: the gateway before the
  // subgraphs, the consent engine and the time-stamping authority it needs to flush its audit and last checkpoint.
  const callers: Record<string, string[]> = {};
  for (const s of services) for (const needed of s.after ?? []) (callers[needed] ??= []).push(s.name);
  await supervisor.stopAll([...services].reverse().map((s) => s.name), 15_000, callers);
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
// Started by a program over IPC (the e2e tests' launcher): when that program goes away, even killed outright, so does
// everything started here. Its end may also close our output: a write to it then fails, which must not stop the stop.
process.once("disconnect", () => void stopAll(1, "the program that started npm start went away: stopping everything"));
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// The gateway evaluates the compiled policy: build it when its sources changed (and fetch opa the first time).
try {
  const revision = buildBundle();
  if (!quiet) process.stdout.write(`policy bundle ${revision} ready\n`);
} catch (error) {
  process.stderr.write(`Cannot build the access policy: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const ready = new Set<string>();
try {
  const pending = [...services];
  while (pending.length > 0 && !supervisor.stopping) {
    const wave = pending.filter((s) => (s.after ?? []).every((d) => ready.has(d)));
    if (wave.length === 0) throw new Error(`services.ts has a dependency cycle among ${pending.map((s) => s.name).join(", ")}`);
    for (const s of wave) {
      const child = supervisor.add(s.name, () => spawnPart(s));
      if (!quiet) process.stderr.write(`[start] ${s.name} started (pid ${child.pid ?? "?"}, port ${portSettings.ports[s.name]})\n`);
    }
    await Promise.all(wave.map((s) => waitReady(s)));
    for (const s of wave) {
      ready.add(s.name);
      pending.splice(pending.indexOf(s), 1);
    }
  }
} catch (error) {
  await stopAll(1, error instanceof Error ? error.message : String(error));
}

if (!supervisor.stopping) {
  const lines = services
    .filter((s) => s.show !== undefined)
    .map((s) => `  ${(s.show?.label ?? s.name).padEnd(34)} ${urls[s.name]}${s.show?.path ?? ""}`);
  // npm run token derives its URLs from the same port variables: repeat those that differ from the defaults.
  const tokenEnv = ["identity-provider", "gateway", "consent-engine"]
    .map(portVariable)
    .filter((v) => (process.env[v] ?? "") !== "")
    .map((v) => `${v}=${process.env[v]} `)
    .join("");
  const example = JSON.stringify({ query: '{ person(nic: "199012345678") { fullName dateOfBirth permanentAddress } }' });
  process.stdout.write(
    [
      "",
      "NDX is running.",
      ...lines,
      `  Data (PGlite)                      ${dataDir}`,
      "",
      "Try (as the passport application; the first answer is CONSENT_REQUIRED with the citizen's consentUrl):",
      `  T=$(${tokenEnv}npm run --silent token -- passport-app --raw)`,
      `  curl -s ${urls["gateway"]}/graphql -H 'content-type: application/json' \\`,
      `    -H "authorization: Bearer $T" -H 'x-purpose: passport-application' \\`,
      `    -d '${example}'`,
      "Open the consentUrl in a browser, sign in as 199012345678 / farajaland, Allow, and ask again.",
      "",
      "A part that exits is restarted (with backoff); Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  process.stdout.write(`NDX_READY ${JSON.stringify(urls)}\n`);
}
