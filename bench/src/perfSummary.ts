/**
 * Where a gateway's CPU goes, from `perf` samples rather than V8's profiler. The V8 profiler samples wall time on
 * the thread it watches, so a function the kernel descheduled keeps being charged (it showed `postMessage` at 98 µs a
 * request where it costs 8–10 µs), and it sees neither the other threads (the PGlite worker, V8's GC helpers) nor
 * native code by name. `perf` counts CPU time on every thread of the process, native and jitted code alike (node's
 * `--perf-prof` writes the jitted functions' names; `perf inject --jit` puts them in the samples).
 *
 * Each sample is charged to its thread and to the innermost frame of NDX's own code on its stack (its self time and
 * the library and runtime code it called), or to "outside NDX code" on that thread; the NDX − plain table then says
 * what each piece costs per request.
 */

export interface PerfSample {
  /** The thread's name (node names its main thread MainThread, V8's helpers V8Worker; the PGlite worker is ndx-db). */
  readonly thread: string;
  /** CPU time the sample stands for, in nanoseconds (perf's period for the cpu-clock event). */
  readonly ns: number;
  /** Symbol names, innermost first, without addresses or offsets. */
  readonly frames: readonly string[];
}

/**
 * Reads `perf script -F comm,tid,period,ip,sym`: a header line per sample ("<thread> <tid> <period>", the thread's name
 * may hold spaces), then one indented line per frame ("<address> <symbol>").
 */
export function parsePerfScript(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  let current: { thread: string; ns: number; frames: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (/^\s/.test(line)) {
      if (current === undefined) continue;
      const frame = /^\s*[0-9a-f]+\s+(.*?)\s*$/.exec(line)?.[1];
      if (frame !== undefined && frame !== "") current.frames.push(frame.replace(/\+0x[0-9a-f]+$/, ""));
      continue;
    }
    const header = /^(.*?)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (header === null) {
      // Not a sample's header: the frames after it belong to no sample.
      current = undefined;
      continue;
    }
    current = { thread: header[1] ?? "", ns: Number(header[3]), frames: [] };
    samples.push(current);
  }
  return samples;
}

export interface PerfAttribution {
  /** CPU time in all samples, ns. */
  readonly totalNs: number;
  readonly byThread: ReadonlyMap<string, number>;
  /** By the innermost frame of NDX code (a name from `codeName`), or "outside NDX code (<thread>)". */
  readonly byCode: ReadonlyMap<string, number>;
  /**
   * By each file of NDX code anywhere on the stack, once per sample (inclusive). V8 inlines small functions into
   * their callers, and differently in the two gateways, so a function's own row can move to its caller's; a file's
   * inclusive time keeps what its functions and all they called cost, wherever the inlining put it.
   */
  readonly byFile: ReadonlyMap<string, number>;
}

/**
 * A frame of NDX's own code: a jitted function ("JS:" then V8's tier mark) from a file under the repository, not
 * from its node_modules. Its name is the function and the file, relative to the repository.
 */
export function codeName(frame: string, repoRoot: string): string | undefined {
  if (!frame.startsWith("JS:")) return undefined;
  const root = repoRoot.endsWith("/") ? repoRoot : `${repoRoot}/`;
  const at = frame.indexOf(root);
  if (at < 0 || frame.includes("/node_modules/", at)) return undefined;
  const fn = frame.slice(3, at).replace(/^[*+^~']+/, "").replace(/file:\/\/$/, "").trim();
  return `${fn === "" ? "(anonymous)" : fn} ${frame.slice(at + root.length)}`;
}

export function attribute(samples: readonly PerfSample[], repoRoot: string): PerfAttribution {
  const byThread = new Map<string, number>();
  const byCode = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalNs = 0;
  const add = (map: Map<string, number>, key: string, ns: number) => map.set(key, (map.get(key) ?? 0) + ns);
  for (const sample of samples) {
    totalNs += sample.ns;
    add(byThread, sample.thread, sample.ns);
    let innermost: string | undefined;
    const files = new Set<string>();
    for (const frame of sample.frames) {
      const code = codeName(frame, repoRoot);
      if (code === undefined) continue;
      innermost ??= code;
      files.add(code.slice(code.lastIndexOf(" ") + 1).replace(/(:\d+)+$/, ""));
    }
    add(byCode, innermost ?? `outside NDX code (${sample.thread})`, sample.ns);
    for (const file of files) add(byFile, file, sample.ns);
  }
  return { totalNs, byThread, byCode, byFile };
}

export interface PerfRun {
  readonly attribution: PerfAttribution;
  /** Requests served while perf recorded. */
  readonly requests: number;
}

const usPerRequest = (ns: number, requests: number): number => ns / 1000 / requests;

/**
 * NDX − plain per request, as markdown tables: by thread; by file of NDX code (inclusive); by innermost piece of NDX
 * code. Each table keeps its `top` largest differences and its `bottom` most negative (where plain spends more: often
 * the same work, inlined elsewhere).
 */
export function perfComparison(ndx: PerfRun, plain: PerfRun, top = 30, bottom = 5): string {
  const table = (title: string, pick: (a: PerfAttribution) => ReadonlyMap<string, number>, most: number, least: number): string => {
    const keys = [...new Set([...pick(ndx.attribution).keys(), ...pick(plain.attribution).keys()])];
    const sorted = keys
      .map((key) => {
        const n = usPerRequest(pick(ndx.attribution).get(key) ?? 0, ndx.requests);
        const p = usPerRequest(pick(plain.attribution).get(key) ?? 0, plain.requests);
        return { key, n, p, d: n - p };
      })
      .sort((a, b) => b.d - a.d);
    const rows = sorted.length <= most + least ? sorted : [...sorted.slice(0, most), ...sorted.slice(sorted.length - least).filter((r) => r.d < 0)];
    const fmt = (v: number) => v.toFixed(1);
    return [
      `| ${title} | NDX − plain | NDX | plain |`,
      "|---|---:|---:|---:|",
      ...rows.map((r) => `| ${r.key.replaceAll("|", "\\|")} | ${fmt(r.d)} | ${fmt(r.n)} | ${fmt(r.p)} |`),
    ].join("\n");
  };
  const total = (run: PerfRun) => usPerRequest(run.attribution.totalNs, run.requests);
  return [
    `CPU per request (µs), from perf: NDX ${total(ndx).toFixed(0)}, plain ${total(plain).toFixed(0)}, NDX − plain ${(total(ndx) - total(plain)).toFixed(0)}.`,
    "",
    table("thread", (a) => a.byThread, 20, 0),
    "",
    table("file of NDX code on the stack (inclusive: its functions and all they called)", (a) => a.byFile, 20, bottom),
    "",
    table("innermost NDX code on the stack (self + what it called)", (a) => a.byCode, top, bottom),
  ].join("\n");
}
