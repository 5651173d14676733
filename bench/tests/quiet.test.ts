import { describe, expect, it } from "vitest";
import { roundOrder, waitForQuiet, type CpuTimes } from "../src/quiet.ts";

/** CPU counters that advance by one sample per read: each sample's idle share given in turn. */
function counters(idleShares: readonly number[]): { read: () => CpuTimes; sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  let idle = 0;
  let total = 0;
  let sample = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    read: () => ({ idle, total }),
    sleep: async (ms) => {
      sleeps.push(ms);
      const share = idleShares[Math.min(sample, idleShares.length - 1)] ?? 1;
      sample += 1;
      idle += 1000 * share;
      total += 1000;
    },
  };
}

describe("a quiet start", () => {
  it("goes on after one sample when the cores are idle", async () => {
    const c = counters([0.97]);
    expect(await waitForQuiet({ read: c.read, sleep: c.sleep })).toEqual({ idle: 0.97, waitedMs: 1000, quiet: true });
  });

  it("waits while the machine is busy and goes on once it is quiet", async () => {
    const c = counters([0.1, 0.5, 0.8, 0.9]);
    const quiet = await waitForQuiet({ read: c.read, sleep: c.sleep, idleAtLeast: 0.85, sampleMs: 500 });
    expect(quiet).toEqual({ idle: 0.9, waitedMs: 2000, quiet: true });
    expect(c.sleeps).toEqual([500, 500, 500, 500]);
  });

  it("gives up after its longest wait and says the machine was not quiet", async () => {
    const c = counters([0.2]);
    expect(await waitForQuiet({ read: c.read, sleep: c.sleep, maxWaitMs: 3000 })).toEqual({ idle: 0.2, waitedMs: 3000, quiet: false });
  });
});

describe("the order of the rounds", () => {
  it("puts every target at every position once in as many rounds as there are targets", () => {
    const targets = ["plain", "ndx", "hive"] as const;
    const rounds = [1, 2, 3].map((round) => roundOrder(targets, round));
    expect(rounds[0]).toEqual(["plain", "ndx", "hive"]);
    for (const round of rounds) expect([...round].sort()).toEqual([...targets].sort());
    for (const target of targets) expect(rounds.map((r) => r.indexOf(target)).sort()).toEqual([0, 1, 2]);
    expect(roundOrder(targets, 4)).toEqual(rounds[0]);
  });
});
