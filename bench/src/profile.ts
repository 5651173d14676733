/**
 * Summary of a V8 CPU profile (`node --cpu-prof`): where the samples fall by package (ours vs libraries vs Node and
 * the engine), the top functions by self time, and our own functions by total (inclusive) time.
 *
 *   node bench/src/profile.ts <file.cpuprofile> [--top 30] [--from <seconds after start>]   → markdown on stdout
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: one of our workspaces, an npm package, Node itself, or the engine. */
export function categoryOf(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(program)") return "(program)";
    return "(native)";
  }
  if (url.startsWith("node:")) {
    if (url.includes("deps/undici")) return "node: undici (fetch to subgraphs)";
    if (url.includes("webstreams")) return "node: web streams";
    if (url.includes("internal/modules") || url.includes("internal/vm")) return "node: module loading (start-up)";
    if (/node:_http|node:http|internal\/http/.test(url)) return "node: http (server and client)";
    if (url.includes("internal/streams") || url === "node:stream") return "node: streams";
    if (url.includes("node:net") || url.includes("stream_base") || url.includes("node:dns")) return "node: net";
    if (url.includes("node:url") || url.includes("internal/url")) return "node: url";
    if (url.includes("node:fs") || url.includes("internal/fs")) return "node: fs";
    return "node: other";
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) {
    const last = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop()?.[1] ?? modules[1];
    return last;
  }
  const ours = /\/(gateway|packages\/[^/]+|policy|subgraphs\/[^/]+|adapters\/[^/]+|schema|bench)\/src\//.exec(url);
  if (ours?.[1] !== undefined) return `ours: ${ours[1]}`;
  return url.replace(/^file:\/\//, "");
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\//, "")
    .replace(/^.*\/(gateway|packages|policy|subgraphs|adapters|schema|bench)\/src\//, "$1/src/");

export function summarizeProfile(profile: CpuProfile, options: { top?: number; fromMs?: number } = {}): string {
  const top = options.top ?? 30;
  const fromMs = options.fromMs ?? 0;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const category = new Map<string, number>();
  const categoryTotal = new Map<string, number>();
  const keyCategory = new Map<string, string>();
  let all = 0;
  let idle = 0;
  let clock = 0; // ms since the profile started
  profile.samples.forEach((id, i) => {
    clock += (profile.timeDeltas[i] ?? 0) / 1000;
    if (clock < fromMs) return;
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // ms
    const node = byId.get(id);
    if (node === undefined) return;
    all += dt;
    if (node.callFrame.functionName === "(idle)") {
      idle += dt;
      return;
    }
    const k = key(node);
    const cat = categoryOf(node.callFrame.url, node.callFrame.functionName);
    keyCategory.set(k, cat);
    self.set(k, (self.get(k) ?? 0) + dt);
    category.set(cat, (category.get(cat) ?? 0) + dt);
    // Inclusive: every distinct function on the stack of this sample.
    const seen = new Set<string>();
    const seenCategories = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined || n.callFrame.functionName === "(root)") continue;
      const cat = categoryOf(n.callFrame.url, n.callFrame.functionName);
      if (!seenCategories.has(cat)) {
        seenCategories.add(cat);
        categoryTotal.set(cat, (categoryTotal.get(cat) ?? 0) + dt);
      }
      const ck = key(n);
      if (seen.has(ck)) continue;
      seen.add(ck);
      keyCategory.set(ck, cat);
      total.set(ck, (total.get(ck) ?? 0) + dt);
    }
  });
  const busy = all - idle;
  const pct = (v: number) => `${((v / busy) * 100).toFixed(1)} %`;
  const lines: string[] = [];
  lines.push(
    `Sampled ${(all / 1000).toFixed(1)} s${fromMs > 0 ? ` (from ${(fromMs / 1000).toFixed(1)} s after start)` : ""}, ` +
      `busy (not idle) ${(busy / 1000).toFixed(1)} s; percentages are of busy time.`,
  );
  lines.push("");
  lines.push("Time by where the code lives — self, and total (on the stack: the code and what it calls):");
  lines.push("");
  lines.push("| where | self ms | self share | total share |");
  lines.push("|---|---:|---:|---:|");
  for (const [cat, ms] of [...category].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    lines.push(`| ${cat} | ${ms.toFixed(0)} | ${pct(ms)} | ${pct(categoryTotal.get(cat) ?? ms)} |`);
  }
  lines.push("");
  lines.push(`Top ${top} functions by self time:`);
  lines.push("");
  lines.push("| function | where | self ms | share |");
  lines.push("|---|---|---:|---:|");
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| \`${k}\` | ${keyCategory.get(k)} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  }
  lines.push("");
  lines.push("Our functions by total (inclusive) time:");
  lines.push("");
  lines.push("| function | total ms | share |");
  lines.push("|---|---:|---:|");
  for (const [k, ms] of [...total].filter(([k]) => keyCategory.get(k)?.startsWith("ours") === true).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| \`${k}\` | ${ms.toFixed(0)} | ${pct(ms)} |`);
  }
  lines.push("");
  return lines.join("\n");
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "30" }, from: { type: "string", default: "0" } },
  });
  const file = positionals[0];
  if (file === undefined) {
    process.stderr.write("usage: node bench/src/profile.ts <file.cpuprofile> [--top N]\n");
    process.exit(2);
  }
  process.stdout.write(summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, { top: Number(values.top), fromMs: Number(values.from) * 1000 }));
}
