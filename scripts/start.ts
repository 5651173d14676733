/**
 * `npm start`: every part of NDX on its default port, on embedded defaults (PGlite under .data/). Waits for each to
 * be ready, prints the URLs and an example query, and on Ctrl-C stops them all (PGlite flushed) before exiting.
 * Children hold an IPC channel to this process, so they also stop if it is killed outright.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { buildBundle } from "@ndx/policy";
import { services, type ServiceSpec } from "./services.ts";

const root = resolve(import.meta.dirname, "..");
const dataDir = resolve(process.env["NDX_DATA_DIR"] ?? resolve(root, ".data"));
const quiet = process.env["NDX_START_QUIET"] === "1";

function portOf(s: ServiceSpec): number {
  const variable = `${s.name.toUpperCase().replaceAll("-", "_")}_PORT`;
  const raw = process.env[variable];
  if (raw === undefined || raw === "") return s.port;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    process.stderr.write(`${variable}=${raw} is not a TCP port (1 to 65535)\n`);
    process.exit(2);
  }
  return Number(raw);
}

const urls = Object.fromEntries(services.map((s) => [s.name, `http://localhost:${portOf(s)}`]));
const children = new Map<string, ChildProcess>();
let stopping = false;
const width = Math.max(...services.map((s) => s.name.length));

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
    return `${levels[Number(level)] ?? "INFO"} ${String(msg ?? "")}${extra}`;
  } catch {
    return line;
  }
}

function start(s: ServiceSpec): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(portOf(s)), ...s.links?.(urls) };
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
  child.on("exit", (code, signal) => {
    children.delete(s.name);
    if (!stopping) {
      process.stderr.write(`\n${s.name} exited (${signal ?? `code ${code}`}); stopping everything.\n`);
      void stopAll(1);
    }
  });
  children.set(s.name, child);
  return child;
}

async function waitReady(s: ServiceSpec, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(`${urls[s.name]}/ready`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${s.name} was not ready within ${timeoutMs / 1000} s`);
}

async function stopAll(code: number): Promise<never> {
  stopping = true;
  // Stop in reverse start-up order: the gateway before the subgraphs it calls.
  const order = [...services].reverse();
  for (const s of order) children.get(s.name)?.kill("SIGTERM");
  const deadline = Date.now() + 15_000;
  while (children.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of children.values()) child.kill("SIGKILL");
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

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
  while (pending.length > 0) {
    const wave = pending.filter((s) => (s.after ?? []).every((d) => ready.has(d)));
    if (wave.length === 0) throw new Error(`services.ts has a dependency cycle among ${pending.map((s) => s.name)}`);
    for (const s of wave) start(s);
    await Promise.all(wave.map((s) => waitReady(s)));
    for (const s of wave) {
      ready.add(s.name);
      pending.splice(pending.indexOf(s), 1);
    }
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll(1);
}

if (!stopping) {
  const lines = services
    .filter((s) => s.show !== undefined)
    .map((s) => `  ${(s.show?.label ?? s.name).padEnd(34)} ${urls[s.name]}${s.show?.path ?? ""}`);
  const example = JSON.stringify({ query: '{ person(nic: "199012345678") { fullName dateOfBirth permanentAddress } }' });
  process.stdout.write(
    [
      "",
      "NDX is running.",
      ...lines,
      `  Data (PGlite)                      ${dataDir}`,
      "",
      "Try (as the passport application; the first answer is CONSENT_REQUIRED with the citizen's consentUrl):",
      "  T=$(npm run --silent token -- passport-app --raw)",
      `  curl -s ${urls["gateway"]}/graphql -H 'content-type: application/json' \\`,
      `    -H "authorization: Bearer $T" -H 'x-purpose: passport-application' \\`,
      `    -d '${example}'`,
      "Open the consentUrl in a browser, sign in as 199012345678 / farajaland, Allow, and ask again.",
      "",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  process.stdout.write(`NDX_READY ${JSON.stringify(urls)}\n`);
}
