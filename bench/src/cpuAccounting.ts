/**
 * CPU time per part, by process tree, from /proc: a part's CPU is what its process and every process below it used
 * (utime + stime, all threads), plus what its children that have already exited used (cutime + cstime, counted in the
 * parent once reaped). Sampled at the start and the end of the measured window, the difference is the window's CPU:
 * a child reaped inside the window moves from its own line to its parent's cutime without being counted twice, and a
 * child that started inside the window counts from zero.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Where /proc is read from (a fake one in the tests). */
export interface ProcSource {
  /** The text of /proc/<pid>/stat, or undefined when the process is gone. */
  stat(pid: number): string | undefined;
  /** The direct children of a process (of all its threads). */
  children(pid: number): readonly number[];
}

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms. */
const clockTickMs = 10;

/** The real /proc. */
const procFs: ProcSource = {
  stat(pid) {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return undefined;
    }
  },
  children(pid) {
    try {
      return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  },
};

/**
 * utime + stime + cutime + cstime of one /proc/<pid>/stat line, in ticks. The command name (field 2) may hold spaces
 * and parentheses, so the fields are counted from the last ")".
 */
export function statCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
  return (utime ?? Number.NaN) + (stime ?? Number.NaN) + (cutime ?? Number.NaN) + (cstime ?? Number.NaN);
}

/** A process and all its descendants (each once, even if /proc changes while it is read). */
export function processTree(pid: number, source: ProcSource = procFs): number[] {
  const seen = new Set<number>([pid]);
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of source.children(next)) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return [...seen];
}

/** CPU time of a process tree so far, in ms; NaN when the root process is gone. */
export function treeCpuMs(pid: number, source: ProcSource = procFs): number {
  if (source.stat(pid) === undefined) return Number.NaN;
  let ticks = 0;
  for (const member of processTree(pid, source)) {
    const stat = source.stat(member);
    // A descendant that exited between listing and reading: its time is in its parent's cutime once reaped.
    if (stat !== undefined) ticks += statCpuTicks(stat);
  }
  return ticks * clockTickMs;
}

/** A part the bench watches: a name and the pid of its main process. */
export interface Part {
  readonly name: string;
  readonly pid: number;
}

/** Each part's CPU time so far (ms), by name. */
export function sampleParts(parts: readonly Part[], source: ProcSource = procFs): Record<string, number> {
  return Object.fromEntries(parts.map((p) => [p.name, treeCpuMs(p.pid, source)]));
}

/** CPU ms per request of each part between two samples, to 3 decimals (NaN where a part is missing from either). */
export function cpuPerRequest(start: Record<string, number>, end: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, before] of Object.entries(start)) {
    const after = end[name] ?? Number.NaN;
    out[name] = Math.round(((after - before) / Math.max(1, requests)) * 1000) / 1000;
  }
  return out;
}

/** The sum of every part's CPU per request, to 3 decimals (what "all parts" means in the report). */
export function allPartsMs(perPart: Record<string, number>): number {
  return Math.round(Object.values(perPart).reduce((a, b) => a + b, 0) * 1000) / 1000;
}
