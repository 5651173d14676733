/** Reading perf samples and charging them to threads and to NDX's code: what `--perf` reports as NDX − plain. */
import { describe, expect, it } from "vitest";
import { attribute, codeName, parsePerfScript, perfComparison } from "../src/perfSummary.ts";

const root = "/repo";

/** `perf script -F comm,tid,period,ip,sym` text: a header per sample, then its frames innermost first. */
const script = (samples: readonly { thread: string; ns: number; frames: readonly string[] }[]) =>
  samples.map((s) => [`${s.thread}  4242     ${s.ns} `, ...s.frames.map((f, i) => `\t    ${(0x7f00 + i).toString(16)} ${f}`)].join("\n")).join("\n\n");

/** The comparison's tables (thread, file, code): each a list of rows, each row its cells, the header and rule left out. */
const tables = (text: string): string[][][] =>
  text
    .split("\n\n")
    .filter((block) => block.startsWith("|"))
    .map((block) =>
      block
        .split("\n")
        .slice(2)
        .map((row) => row.slice(2, -2).split(" | ")),
    );

describe("parsing perf script", () => {
  it("reads each sample's thread (a name with spaces too), its CPU time and its frames, innermost first, without offsets", () => {
    const text = [
      "MainThread  1312     500250 ",
      "\t              f6 Builtin:RecordWriteSaveFP",
      "\t             246 JS:*'append node:internal/timers:336:9",
      "\t          e2272f v8::internal::LookupIterator::WriteDataValue+0x4f",
      "",
      "V8 DefaultWorke  1320     250125 ",
      "\t          dbbed2 v8::internal::Scavenger::ScavengeObject",
      "garbage line without a period",
      "\t            1234 a frame of no sample",
    ].join("\n");
    expect(parsePerfScript(text)).toEqual([
      { thread: "MainThread", ns: 500250, frames: ["Builtin:RecordWriteSaveFP", "JS:*'append node:internal/timers:336:9", "v8::internal::LookupIterator::WriteDataValue"] },
      { thread: "V8 DefaultWorke", ns: 250125, frames: ["v8::internal::Scavenger::ScavengeObject"] },
    ]);
  });

  it("gives nothing for empty text, and ignores frames before the first header", () => {
    expect(parsePerfScript("")).toEqual([]);
    expect(parsePerfScript("\t  1234 orphan\n")).toEqual([]);
  });
});

describe("naming NDX code", () => {
  it("names a jitted function from a file under the repository, in any tier, relative to the repository", () => {
    expect(codeName("JS:*'hashedJson file:///repo/gateway/src/audit/auditEvent.ts:102:27", root)).toBe("hashedJson gateway/src/audit/auditEvent.ts:102:27");
    expect(codeName("JS:^onRequest /repo/packages/platform/src/metrics.ts:39:20", root)).toBe("onRequest packages/platform/src/metrics.ts:39:20");
    expect(codeName("JS:+ file:///repo/policy/src/decisionMemo.ts:52:10", root)).toBe("(anonymous) policy/src/decisionMemo.ts:52:10");
  });

  it("does not count dependencies, node's own code, native code or another directory as NDX code", () => {
    expect(codeName("JS:+'execute /repo/node_modules/undici/lib/dispatcher/client-h1.js:330:11", root)).toBeUndefined();
    expect(codeName("JS:*'append node:internal/timers:336:9", root)).toBeUndefined();
    expect(codeName("v8::internal::Scavenger::ScavengeObject", root)).toBeUndefined();
    expect(codeName("JS:*f file:///repository/gateway/src/x.ts:1:1", root)).toBeUndefined();
  });
});

describe("attributing samples", () => {
  const ours = (fn: string) => `JS:*${fn} file:///repo/gateway/src/${fn}.ts:1:1`;
  const samples = parsePerfScript(
    script([
      // The innermost NDX frame takes the sample, with the library code it called.
      { thread: "MainThread", ns: 1000, frames: ["v8::internal::JsonStringifier::Serialize_", ours("inner"), ours("outer")] },
      { thread: "MainThread", ns: 3000, frames: [ours("outer")] },
      { thread: "MainThread", ns: 500, frames: ["JS:*'then /repo/node_modules/x/index.js:1:1", "uv_run"] },
      { thread: "ndx-db", ns: 2000, frames: ["JS:wasm-function[20]-20-turbofan"] },
    ]),
  );

  it("sums each thread's CPU time, and charges each sample to the innermost NDX function on its stack or to code outside NDX on its thread", () => {
    const a = attribute(samples, root);
    expect(a.totalNs).toBe(6500);
    expect(Object.fromEntries(a.byThread)).toEqual({ MainThread: 4500, "ndx-db": 2000 });
    expect(Object.fromEntries(a.byCode)).toEqual({
      "inner gateway/src/inner.ts:1:1": 1000,
      "outer gateway/src/outer.ts:1:1": 3000,
      "outside NDX code (MainThread)": 500,
      "outside NDX code (ndx-db)": 2000,
    });
    // Inclusive by file: a sample counts once for every file of NDX code on its stack.
    expect(Object.fromEntries(a.byFile)).toEqual({ "gateway/src/inner.ts": 1000, "gateway/src/outer.ts": 4000 });
  });

  it("keeps the largest differences and the most negative ones when a table is long", () => {
    const many = (prefix: string, n: number, ns: (i: number) => number) =>
      Array.from({ length: n }, (_, i) => ({ thread: "MainThread", ns: ns(i), frames: [ours(`${prefix}${i}`)] }));
    const ndxRun = { attribution: attribute(parsePerfScript(script(many("f", 40, (i) => 1000 * (i + 1)))), root), requests: 1 };
    const plainRun = { attribution: attribute(parsePerfScript(script(many("f", 40, () => 20_000))), root), requests: 1 };
    const [, , code] = tables(perfComparison(ndxRun, plainRun, 3, 2));
    const rows = (code ?? []).map((cells) => cells[0]?.split(" ")[0]);
    // f39 costs NDX 40 µs against 20 (+20), f0 1 against 20 (−19).
    expect(rows).toEqual(["f39", "f38", "f37", "f1", "f0"]);
  });

  it("reports NDX − plain per request, in µs, largest difference first, by thread and by piece of code", () => {
    const plainSamples = parsePerfScript(script([{ thread: "MainThread", ns: 4_000_000, frames: ["JS:*'then /repo/node_modules/x/index.js:1:1"] }]));
    // NDX: 6,500,000 ns over 1,000 requests, 6.5 µs a request; plain: 4,000,000 ns over 2,000, 2 µs a request.
    const ndxScaled = parsePerfScript(script([...samples.map((s) => ({ ...s, ns: s.ns * 1000 }))]));
    const text = perfComparison({ attribution: attribute(ndxScaled, root), requests: 1000 }, { attribution: attribute(plainSamples, root), requests: 2000 });
    expect(text).toContain("NDX 7, plain 2, NDX − plain 5.");
    const [thread, file, code] = tables(text);
    expect(thread).toEqual([
      ["MainThread", "2.5", "4.5", "2.0"],
      ["ndx-db", "2.0", "2.0", "0.0"],
    ]);
    expect(file).toEqual([
      ["gateway/src/outer.ts", "4.0", "4.0", "0.0"],
      ["gateway/src/inner.ts", "1.0", "1.0", "0.0"],
    ]);
    expect(code?.[0]).toEqual(["outer gateway/src/outer.ts:1:1", "3.0", "3.0", "0.0"]);
    expect(code?.at(-1)).toEqual(["outside NDX code (MainThread)", "-1.5", "0.5", "2.0"]);
  });
});
