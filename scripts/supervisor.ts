/**
 * Keeps `npm start`'s parts running, as a process manager would (systemd `Restart=always` with a start limit, pm2,
 * foreman): a part that exits while nobody asked it to is started again after a backoff that doubles from
 * `initialDelayMs` to `maxDelayMs` and is forgotten once the part has stayed up `resetAfterMs`; the other parts keep
 * running meanwhile. A part that exits `maxCrashes` times within `crashWindowMs` is in a crash loop: it is not started
 * again and `onGiveUp` is told (npm start then stops everything). `stopAll` stops the parts in the order given and
 * starts none again.
 */
import type { ChildProcess } from "node:child_process";

export interface RestartPolicy {
  /** Wait before the first restart. @default 500 */
  readonly initialDelayMs?: number;
  /** The wait doubles after each restart up to this. @default 10000 */
  readonly maxDelayMs?: number;
  /** A part up this long since its last start is healthy again: the next restart waits initialDelayMs. @default 30000 */
  readonly resetAfterMs?: number;
  /** This many exits within crashWindowMs is a crash loop: the part is given up. @default 5 */
  readonly maxCrashes?: number;
  /** @default 60000 */
  readonly crashWindowMs?: number;
}

export interface SupervisorOptions extends RestartPolicy {
  /** Where the supervisor's own lines go (each starts with "[start] "). @default process.stderr */
  readonly log?: (line: string) => void;
  /** A part was started again (not the first start), e.g. to wait until it is ready. */
  readonly onRestart?: (name: string, child: ChildProcess) => void;
  /** A part is in a crash loop and will not be started again. */
  readonly onGiveUp?: (name: string) => void;
}

interface Watched {
  readonly start: () => ChildProcess;
  child: ChildProcess | undefined;
  startedAt: number;
  restarts: number;
  crashes: number[];
  timer: NodeJS.Timeout | undefined;
}

/** How a wait is written in the log: 500 ms as "0.5s", 2000 as "2s". */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}

export class Supervisor {
  readonly #parts = new Map<string, Watched>();
  readonly #policy: Required<RestartPolicy>;
  readonly #options: SupervisorOptions;
  #stopping = false;

  constructor(options: SupervisorOptions = {}) {
    this.#options = options;
    this.#policy = {
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      resetAfterMs: options.resetAfterMs ?? 30_000,
      maxCrashes: options.maxCrashes ?? 5,
      crashWindowMs: options.crashWindowMs ?? 60_000,
    };
  }

  /** Starts a part and keeps it running. `start` spawns it (and may attach its output); it is called for every restart. */
  add(name: string, start: () => ChildProcess): ChildProcess {
    const part: Watched = { start, child: undefined, startedAt: 0, restarts: 0, crashes: [], timer: undefined };
    this.#parts.set(name, part);
    return this.#spawn(name, part);
  }

  /** The running process of a part, if any. */
  child(name: string): ChildProcess | undefined {
    return this.#parts.get(name)?.child;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Stops every part, restarting none; resolves when all have exited. A part is sent SIGTERM once every part named in
   * `waitFor[part]` (the parts that call it) has exited, or half of `graceMs` has passed, so the gateway flushes its
   * audit and signs its last checkpoint while the parts it needs still answer; parts with nothing to wait for are
   * signalled in `order` at once. SIGKILL for whatever still runs after `graceMs`.
   */
  async stopAll(order: readonly string[], graceMs = 15_000, waitFor: Readonly<Record<string, readonly string[]>> = {}): Promise<void> {
    this.#stopping = true;
    for (const part of this.#parts.values()) clearTimeout(part.timer);
    const running = () => [...this.#parts.values()].filter((p) => p.child !== undefined);
    const exited = (name: string) => this.#parts.get(name)?.child === undefined;
    const started = Date.now();
    const signalled = new Set<string>();
    while (running().length > 0 && Date.now() - started < graceMs) {
      const impatient = Date.now() - started >= graceMs / 2;
      for (const name of order) {
        if (signalled.has(name) || !(impatient || (waitFor[name] ?? []).every(exited))) continue;
        signalled.add(name);
        this.#parts.get(name)?.child?.kill("SIGTERM");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const part of running()) part.child?.kill("SIGKILL");
  }

  #log(line: string): void {
    (this.#options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`[start] ${line}`);
  }

  #spawn(name: string, part: Watched): ChildProcess {
    const child = part.start();
    part.child = child;
    part.startedAt = Date.now();
    child.once("exit", (code, signal) => this.#exited(name, part, child, code, signal));
    return child;
  }

  #exited(name: string, part: Watched, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (part.child === child) part.child = undefined;
    if (this.#stopping) return;
    const now = Date.now();
    const how = `code ${code ?? "-"}, signal ${signal ?? "-"}`;
    part.crashes = [...part.crashes.filter((t) => now - t < this.#policy.crashWindowMs), now];
    if (part.crashes.length >= this.#policy.maxCrashes) {
      this.#log(
        `${name} exited (${how}) ${part.crashes.length} times within ${seconds(this.#policy.crashWindowMs)}: ` +
          `crash loop, GIVING UP on ${name}. Its log lines above say why.`,
      );
      this.#options.onGiveUp?.(name);
      return;
    }
    if (now - part.startedAt >= this.#policy.resetAfterMs) part.restarts = 0;
    const delay = Math.min(this.#policy.initialDelayMs * 2 ** part.restarts, this.#policy.maxDelayMs);
    part.restarts += 1;
    this.#log(`${name} exited (${how}); restarting in ${seconds(delay)} (restart ${part.restarts})`);
    part.timer = setTimeout(() => {
      part.timer = undefined;
      if (this.#stopping) return;
      const again = this.#spawn(name, part);
      this.#log(`${name} restarted (pid ${again.pid ?? "?"})`);
      this.#options.onRestart?.(name, again);
    }, delay);
  }
}
