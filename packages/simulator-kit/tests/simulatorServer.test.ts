import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@ndx/platform";
import {
  createCallStats,
  createFaultInjector,
  startSimulatorServer,
  type BaseFault,
  type RunningSimulator,
} from "../src/index.ts";

interface Fault extends BaseFault {
  readonly status?: number;
}

const faults = createFaultInjector<Fault>();
const stats = createCallStats();
let sim: RunningSimulator;
let plain: RunningSimulator;

beforeAll(async () => {
  const handler = async (request: Request) => {
    const end = stats.begin(new URL(request.url).pathname.slice(1));
    try {
      const fault = faults.take(new URL(request.url).pathname.slice(1));
      return new Response("ok", { status: fault?.status ?? 200 });
    } finally {
      end();
    }
  };
  const logger = createLogger("test", "silent");
  const parseFault = (v: unknown) => (typeof v === "object" && v !== null ? (v as Fault) : "a fault is an object");
  sim = await startSimulatorServer<Fault>({ name: "sim", handler, port: 0, logger, testControl: { faults, stats, parseFault } });
  plain = await startSimulatorServer<Fault>({ name: "plain", handler, port: 0, logger });
});
afterAll(async () => {
  await sim.close();
  await plain.close();
});

describe("fault injection", () => {
  it("applies a fault to its operation for its number of requests", async () => {
    faults.inject({ operation: "a", times: 2, status: 503 });
    const statuses = [];
    for (const path of ["a", "b", "a", "a"]) statuses.push((await fetch(`${sim.url}/${path}`)).status);
    expect(statuses).toEqual([503, 200, 503, 200]);
    expect(faults.active()).toEqual([]);
  });

  it("is driven over HTTP only when the control endpoints are enabled", async () => {
    const add = await fetch(`${sim.url}/__test/faults`, { method: "POST", body: JSON.stringify({ status: 500 }) });
    expect(add.status).toBe(201);
    expect((await fetch(`${sim.url}/x`)).status).toBe(500);
    expect((await fetch(`${sim.url}/__test/faults`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${sim.url}/x`)).status).toBe(200);
    expect((await fetch(`${sim.url}/__test/faults`, { method: "POST", body: "{not json" })).status).toBe(400);
    const stats = (await (await fetch(`${sim.url}/__test/stats`)).json()) as { byOperation: Record<string, number> };
    expect(stats.byOperation["x"]).toBeGreaterThanOrEqual(2);
    // A simulator started normally has no control endpoints: the request reaches the service itself.
    const response = await fetch(`${plain.url}/__test/faults`, { method: "POST", body: JSON.stringify({ status: 500 }) });
    expect(await response.text()).toBe("ok");
  });

  it("answers /health and /ready", async () => {
    expect(await (await fetch(`${sim.url}/health`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${sim.url}/ready`)).status).toBe(200);
  });
});

describe("call stats", () => {
  it("counts calls per operation and the most in flight at once", () => {
    const s = createCallStats();
    const a = s.begin("a");
    const b = s.begin("b", 5);
    a();
    a();
    const c = s.begin("a");
    b();
    c();
    const snap = s.snapshot();
    expect(snap).toMatchObject({ total: 3, byOperation: { a: 2, b: 1 }, inFlight: 0, maxInFlight: 2 });
    expect(snap.calls.map((x) => x.items)).toEqual([1, 5, 1]);
    s.reset();
    expect(s.snapshot()).toMatchObject({ total: 0, maxInFlight: 0, calls: [] });
  });
});
