/**
 * The gateway following the exchange's register over real HTTP (@ndx/platform's register stand-in, which settles a
 * change as the exchange does: once every follower acknowledged it or passed its deadline), every other part real: a
 * grant revoked at the exchange, or an application suspended, is refused on the very next query once the exchange
 * would answer it, with no subgraph called; a silent register refuses consumers (and says so on /ready) until it
 * speaks again.
 */
import { startRegisterStandIn, type RegisterStandIn } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seededRegister } from "./harness.ts";
import { startSystem, type System } from "./system.ts";

let exchange: RegisterStandIn;
let system: System;
let passport: string;
// The stream's deadline. Starting the system holds the event loop (supergraph, query planner, PGlite) and a loaded
// 2-core CI machine can stall this process for longer than the stand-in's default 400 ms: the gateway would then
// stop being current (every query 502) or miss a change's deadline (lapsed: 1) in tests that expect neither.
const staleAfterMs = 3000;
const registerReady = async () =>
  ((await (await system.gateway.yoga.fetch("http://gateway.test/ready")).json()) as { checks: Record<string, string> }).checks["register"];
beforeAll(async () => {
  exchange = await startRegisterStandIn(seededRegister(1), { staleAfterMs });
  system = await startSystem({ env: { EXCHANGE_URL: exchange.url, EXCHANGE_SERVICE_TOKEN: exchange.token } });
  passport = await system.token("passport-app");
  await vi.waitFor(async () => expect(await registerReady()).toBe("ok"), { timeout: 10_000, interval: 20 });
});
afterAll(async () => {
  await system?.close();
  await exchange?.close();
});

const nic = "199012345678";
const vehicles = { query: `{ person(nic: "${nic}") { fullName vehicles { regNo } } }` };
const asPassport = () => ({ authorization: `Bearer ${passport}`, "x-purpose": "passport-application" });

async function upstreamDuring<T>(fn: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const before = system.upstreamCalls();
  const result = await fn();
  return { calls: system.upstreamCalls() - before, result };
}

describe("the register as the gateway follows it", () => {
  it("reads under the register's grants, then refuses a revoked grant on the very next query with no subgraph called", async () => {
    const asked = await system.query(vehicles, asPassport());
    expect(asked.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
    const id = asked.body["errors"][0].extensions.consentRequestId;
    await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: nic, durationDays: 1 });
    const read = await system.query(vehicles, asPassport());
    expect(read.body["data"].person.vehicles.length).toBeGreaterThan(0);

    const revoked = exchange.change((apps) => apps.map((a) => (a.id === "passport-app" ? { ...a, grants: a.grants.filter((g) => g.provider !== "dmt") } : a)));
    // When the exchange answers the revocation: the gateway acknowledged it, well before its deadline.
    expect(await exchange.settled(revoked.revision)).toMatchObject({ acknowledged: 1, lapsed: 0 });
    const { calls, result } = await upstreamDuring(() => system.query(vehicles, asPassport()));
    expect(calls).toBe(0);
    expect(result.status).toBe(403);
    expect(result.body["errors"][0].extensions).toMatchObject({ code: "FORBIDDEN", reasons: ["passport-app may not read Person.vehicles from dmt", "passport-app may not read Vehicle.regNo from dmt"] });
    const revision = await system.gatewayDb.query<{ policy_revision: string }>(
      "SELECT policy_revision FROM audit_event WHERE decision = 'forbidden' ORDER BY at DESC LIMIT 1",
    );
    expect(revision.rows[0]?.policy_revision).toMatch(/\+r2$/);
  });

  it("refuses a suspended application with 'application suspended' on the next query, with no subgraph called", async () => {
    const suspended = exchange.change((apps) => apps.map((a) => (a.id === "passport-app" ? { ...a, status: "SUSPENDED" } : a)));
    await exchange.settled(suspended.revision);
    const { calls, result } = await upstreamDuring(() => system.query({ query: `{ person(nic: "${nic}") { fullName } }` }, asPassport()));
    expect(calls).toBe(0);
    expect(result.status).toBe(403);
    expect(result.body["errors"]).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "FORBIDDEN", reasons: ["application suspended"] }) })]);
    exchange.change((apps) => apps.map((a) => (a.id === "passport-app" ? { ...a, status: "ACTIVE" } : a)));
    await expect.poll(async () => (await system.query({ query: `{ person(nic: "${nic}") { fullName } }` }, asPassport())).status, { timeout: 5000, interval: 20 }).toBe(200);
  });

  it("fails closed while the register is silent, says so on /ready and in /metrics, and recovers", async () => {
    exchange.silence();
    const name = { query: `{ person(nic: "${nic}") { fullName } }` };
    // Refused once the last confirmed acknowledgement is a deadline old (however late a loaded machine notices).
    await expect.poll(async () => (await system.query(name, asPassport())).status, { timeout: staleAfterMs + 7000, interval: 20 }).toBe(502);
    const { calls, result } = await upstreamDuring(() => system.query(name, asPassport()));
    expect(calls).toBe(0);
    expect(result.body["errors"][0]).toMatchObject({ message: "The exchange's register cannot be reached, so nothing was read", extensions: { code: "UPSTREAM_UNAVAILABLE" } });
    const unavailable = await system.gatewayDb.query<{ reasons: string[] }>("SELECT reasons FROM audit_event WHERE decision = 'unavailable' ORDER BY at DESC LIMIT 1");
    expect(unavailable.rows[0]?.reasons).toEqual(["the exchange's register cannot be reached"]);
    const ready = await system.gateway.yoga.fetch("http://gateway.test/ready");
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks["register"]).toMatch(/^the exchange's register is not followed \(revision 4, known current [\d.]+ s ago\)$/);
    const metrics = await (await system.gateway.yoga.fetch("http://gateway.test/metrics")).text();
    expect(metrics).toMatch(/^ndx_exchange_register_revision(\{[^}]*\})? 4$/m);
    expect(Number(/^ndx_exchange_register_staleness_seconds(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(staleAfterMs / 1000);

    exchange.resume();
    // The stream may be reopening (a silent one is dropped at the deadline, then backoff and a first event awaited).
    await expect.poll(async () => (await system.query(name, asPassport())).status, { timeout: 15_000, interval: 50 }).toBe(200);
    expect(await registerReady()).toBe("ok");
  });
});
