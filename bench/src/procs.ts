/**
 * The processes the bench starts: each is remembered until it has exited, and all of them are stopped when the bench
 * ends — normally, on an error, or on Ctrl-C / SIGTERM. Our own services also stop by themselves when the bench dies
 * outright (they hold an IPC channel to it; see runService in @ndx/platform), and so does Hive Gateway (orphanGuard).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { partEnvironment } from "@ndx/platform/dev";

export const repoRoot: string = resolve(import.meta.dirname, "../..");

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines it printed (for error messages). */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

const running = new Set<Proc>();
const cleanups: (() => void)[] = [];
let shuttingDown = false;

/** True once the bench is stopping (Ctrl-C, a failure): what fails after that is the stopping, not a result. */
export function stopping(): boolean {
  return shuttingDown;
}

/** Waits for the exit that stopAll makes, instead of reporting a failure caused by the stop itself. */
export async function untilExit(): Promise<never> {
  return new Promise<never>(() => undefined);
}

/** Runs once everything is stopped, however the bench ends (e.g. removing its temporary data). */
export function atExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

function cleanUp(): void {
  for (const c of cleanups.splice(0)) {
    try {
      c();
    } catch {
      // best effort
    }
  }
}

export interface StartOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Print its output as it comes (prefixed). @default false: kept for error messages only */
  readonly echo?: boolean;
  /** What the bench does when it exits on its own while the bench runs. @default fail the bench */
  readonly mayExit?: boolean;
  /** Extra node flags before the entry (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
  /** A program to run instead of node (e.g. Hive Router's binary); `args` are its arguments. @default this node */
  readonly command?: string;
}

export function startNode(options: StartOptions): Proc {
  const command = options.command ?? process.execPath;
  const args = options.command === undefined ? [...(options.nodeFlags ?? []), ...options.args] : [...options.args];
  const child = spawn(command, args, {
    cwd: repoRoot,
    // What npm start gives every part; the peers too, so that all gateways run on the same terms.
    env: partEnvironment({ ...process.env, ...options.env }),
    // An IPC channel: our services stop when it closes, i.e. when the bench is gone (a binary is stopped by stopAll).
    stdio: ["ignore", "pipe", "pipe", options.command === undefined ? "ipc" : "ignore"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 60) lines.shift();
    if (options.echo === true) process.stderr.write(`  ${options.name} | ${line}\n`);
  };
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", keep);
  const exited = new Promise<number | null>((r) => child.once("exit", (code, signal) => r(code ?? (signal === null ? null : 128))));
  let stopRequested = false;
  const proc: Proc = {
    name: options.name,
    child,
    pid: child.pid,
    tail: () => lines.join("\n"),
    exited,
    async stop(graceMs = 15_000) {
      stopRequested = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(proc);
    },
  };
  running.add(proc);
  void exited.then((code) => {
    const wasRunning = running.delete(proc);
    if (wasRunning && !stopRequested && !shuttingDown && options.mayExit !== true) {
      process.stderr.write(`\n${options.name} exited unexpectedly (code ${code}):\n${proc.tail()}\n`);
      void stopAll(1);
    }
  });
  return proc;
}

/** Stops everything still running, the most recently started first, and exits with `code`. */
export async function stopAll(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    const procs = [...running].reverse();
    await Promise.all(procs.map((p) => p.stop(10_000)));
    cleanUp();
  }
  process.exit(code);
}

export function installSignalHandlers(): void {
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`\n${signal}: stopping everything the bench started...\n`);
    void stopAll(130);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // Last resort on an unexpected exit path: no child is left behind.
  process.on("exit", () => {
    for (const p of running) p.child.kill("SIGKILL");
    cleanUp();
  });
}

/** Waits until `url` answers 2xx; fails early when the process exits. */
export async function waitReady(proc: Proc, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void proc.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${proc.name} exited before it was ready:\n${proc.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} was not ready at ${url} within ${timeoutMs / 1000} s:\n${proc.tail()}`);
}

/** Peak resident set size (VmHWM) of a process, in MiB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Child processes of `pid` (a gateway must serve from the one process we measure). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resets a process's VmHWM to its current RSS (Linux: write 5 to clear_refs), so the next peak is the run's own. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  const { writeFileSync } = await import("node:fs");
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
