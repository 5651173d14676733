/** The fixed-rate generator: its schedule, its latency math (from the scheduled time), and a real run against a stall. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueBy, openLoop, scheduledAt, summarize, type Outcome } from "../src/openLoop.ts";

describe("the schedule", () => {
  it("puts request i at i / rate seconds, whatever happened to the ones before", () => {
    expect([0, 1, 2, 100].map((i) => scheduledAt(i, 100))).toEqual([0, 10, 20, 1000]);
    expect(scheduledAt(3, 40)).toBe(75);
  });

  it("says how many are due by a moment: those scheduled at or before it, never more than the total", () => {
    expect(dueBy(-1, 100, 50)).toBe(0);
    expect(dueBy(0, 100, 50)).toBe(1);
    expect(dueBy(9.99, 100, 50)).toBe(1);
    expect(dueBy(10, 100, 50)).toBe(2);
    // A generator that fell 35 ms behind sends the 4 it owes at once, not fewer.
    expect(dueBy(35, 100, 50)).toBe(4);
    expect(dueBy(10_000, 100, 50)).toBe(50);
  });
});

describe("the latency view of a run", () => {
  const spec = { ratePerSecond: 10, warmupSeconds: 1, durationSeconds: 2 };
  const at = (scheduledMs: number, latencyMs: number, ok = true): Outcome => ({ scheduledMs, latencyMs, ok });

  it("counts only requests scheduled in the window, with percentiles of the good ones, and every error", () => {
    const outcomes = [
      at(0, 900), // warm-up: left out
      at(900, 5000, false), // warm-up error: still an error
      ...Array.from({ length: 20 }, (_, i) => at(1000 + i * 100, i === 19 ? 80 : 10 + i)),
      at(3000, 1), // after the window
    ];
    const result = summarize(outcomes, spec, 0.5);
    expect(result).toMatchObject({ scheduled: 20, completed: 20, errors: 1, p50Ms: 19, p99Ms: 80, maxMs: 80, worstSendLagMs: 0.5 });
  });
});

describe("a fixed-rate run against a server that stalls", () => {
  let server: Server;
  let url = "";
  let calls = 0;
  beforeAll(async () => {
    // Echoes the body at once, except that the 3rd call is held for 800 ms; with one connection, the requests behind
    // it wait too (as a stalled gateway's queue would).
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        calls += 1;
        const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(body);
        if (calls === 3) setTimeout(answer, 800);
        else answer();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("charges the stall to every request scheduled during it, not only to the one that met it", async () => {
    const variants = [1, 2].map((n) => ({ body: JSON.stringify({ n }), expect: JSON.stringify({ n }) }));
    const result = await openLoop({ url, headers: {}, variants, ratePerSecond: 50, warmupSeconds: 0, durationSeconds: 1, connections: 1 });
    expect(result.errors).toBe(0);
    expect(result.scheduled).toBe(50);
    expect(result.completed).toBe(50);
    // The stalled request was scheduled at 40 ms and held ≥ 800 ms; the 40 scheduled every 20 ms behind it on the one
    // connection are answered only after it, so each one's latency from its scheduled time is what it waited: 780,
    // 760, … ms, and the median request waited ~300 ms. A closed loop would have sent none of them during the stall
    // and reported one slow request in 50, its median a fast one.
    expect(result.maxMs).toBeGreaterThanOrEqual(800);
    expect(result.p50Ms).toBeGreaterThanOrEqual(100);
  });

  it("counts wrong answers as errors", async () => {
    const variants = [{ body: JSON.stringify({ n: 1 }), expect: "{}" }];
    const result = await openLoop({ url, headers: {}, variants, ratePerSecond: 20, warmupSeconds: 0, durationSeconds: 1 });
    expect(result.errors).toBe(20);
    expect(result.completed).toBe(0);
  });
});
