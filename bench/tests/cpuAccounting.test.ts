/** Per-part CPU accounting from /proc samples: process trees, reaped children, parts that vanish. */
import { describe, expect, it } from "vitest";
import { allPartsMs, cpuPerRequest, processTree, sampleParts, statCpuTicks, treeCpuMs, type ProcSource } from "../src/cpuAccounting.ts";

/** A /proc/<pid>/stat line with the given CPU ticks (utime, stime, cutime, cstime). */
const stat = (pid: number, comm: string, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 500 1000000 2000 18446744073709551615`;

/** A fake /proc: each process's stat line and children; change it between samples to simulate the window. */
function fakeProc(table: Record<number, { stat: string; children?: number[] }>): ProcSource & { table: typeof table } {
  return {
    table,
    stat: (pid) => table[pid]?.stat,
    children: (pid) => table[pid]?.children ?? [],
  };
}

describe("reading /proc/<pid>/stat", () => {
  it("adds utime, stime, cutime and cstime, counting fields after the command name even when it has spaces and parentheses", () => {
    expect(statCpuTicks(stat(42, "node", 100, 20, 3, 1))).toBe(124);
    expect(statCpuTicks(stat(42, "hive gateway (rust) x", 7, 5))).toBe(12);
  });
});

describe("a part's process tree", () => {
  it("includes every descendant once, even when /proc lists a child twice or in a cycle", () => {
    const proc = fakeProc({
      1: { stat: stat(1, "gw", 0, 0), children: [2, 3] },
      2: { stat: stat(2, "w", 0, 0), children: [4, 1] },
      3: { stat: stat(3, "w", 0, 0), children: [4] },
      4: { stat: stat(4, "w", 0, 0) },
    });
    expect(processTree(1, proc).sort()).toEqual([1, 2, 3, 4]);
  });

  it("sums the CPU of the tree in ms (10 ms ticks), and is NaN once the part is gone", () => {
    const proc = fakeProc({ 10: { stat: stat(10, "router", 30, 10), children: [11] }, 11: { stat: stat(11, "worker", 50, 10) } });
    expect(treeCpuMs(10, proc)).toBe(1000);
    expect(Number.isNaN(treeCpuMs(99, proc))).toBe(true);
  });
});

describe("CPU per request over the window", () => {
  it("gives each part its tree's delta per request, counting a child reaped in the window once, and totals them", () => {
    const proc = fakeProc({
      1: { stat: stat(1, "gateway", 100, 50), children: [2] },
      2: { stat: stat(2, "forked worker", 40, 10) },
      7: { stat: stat(7, "dmt-soap", 200, 0) },
    });
    const parts = [
      { name: "gateway", pid: 1 },
      { name: "dmt-soap", pid: 7 },
    ];
    const start = sampleParts(parts, proc);
    expect(start).toEqual({ gateway: 2000, "dmt-soap": 2000 });
    // In the window: the gateway uses 20 ticks itself; its worker 30 more ticks, then exits and is reaped (its whole
    // 40 + 10 + 30 = 80 ticks move into the gateway's cutime/cstime); the adapter uses 100 ticks.
    proc.table[1] = { stat: stat(1, "gateway", 110, 60, 70, 10), children: [] };
    delete proc.table[2];
    proc.table[7] = { stat: stat(7, "dmt-soap", 300, 0) };
    const end = sampleParts(parts, proc);
    const perRequest = cpuPerRequest(start, end, 100);
    // gateway: (20 own + 30 worker) ticks = 500 ms over 100 requests; dmt-soap: 1000 ms / 100.
    expect(perRequest).toEqual({ gateway: 5, "dmt-soap": 10 });
    expect(allPartsMs(perRequest)).toBe(15);
  });

  it("counts a child started inside the window from zero", () => {
    const proc = fakeProc({ 1: { stat: stat(1, "gw", 10, 0) } });
    const start = sampleParts([{ name: "gw", pid: 1 }], proc);
    proc.table[1] = { stat: stat(1, "gw", 10, 0), children: [5] };
    proc.table[5] = { stat: stat(5, "new", 4, 1) };
    expect(cpuPerRequest(start, sampleParts([{ name: "gw", pid: 1 }], proc), 5)).toEqual({ gw: 10 });
  });

  it("leaves a part that vanished as NaN rather than a made-up figure", () => {
    const proc = fakeProc({ 1: { stat: stat(1, "gw", 10, 0) } });
    const start = sampleParts([{ name: "gw", pid: 1 }], proc);
    delete proc.table[1];
    expect(Number.isNaN(cpuPerRequest(start, sampleParts([{ name: "gw", pid: 1 }], proc), 5)["gw"])).toBe(true);
  });
});
