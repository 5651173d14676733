/**
 * The register follower (the gateway's and the consent engine's) against a real HTTP stand-in of the exchange's
 * register (registerStandIn.ts): it applies each new revision and acknowledges it, so a change the exchange answers
 * only once `settled` is held by the follower by then; it is current only while its last *confirmed* acknowledgement
 * was *sent* less than the deadline ago (a paused process, a silent stream, withheld confirmations all count); it
 * reconnects and recovers, and never applies what breaks the contract.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExchangeRegister, RegisterApplication } from "@ndx/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { createRegisterFollower, type RegisterFollower, type RegisterFollowerOptions } from "../src/registerFollower.ts";
import { registerStandInToken, startRegisterStandIn, type RegisterStandIn, type RegisterStandInOptions } from "../src/registerStandIn.ts";

const logger = createLogger("register-follower-test", "silent");

const application = (id: string): RegisterApplication => ({
  id,
  name: `The ${id}`,
  description: "An application of the tests",
  member: { code: "DIE", name: "Department of Immigration" },
  status: "ACTIVE",
  redirectUris: ["https://app.example/callback"],
  purposes: [{ code: `${id}-purpose`, text: "A purpose", legalBasis: "A law", maxConsentDays: 30, maxGrantDays: 365 }],
  clearance: "PERSONAL",
  bulkAccess: false,
  grants: [{ id: `${id}-grant`, purpose: `${id}-purpose`, provider: "dmt", field: "Person.vehicles", endsAt: "2099-01-01T00:00:00.000Z" }],
});
const register = (revision: number): ExchangeRegister => ({ revision, at: new Date().toISOString(), applications: [application("passport-app")] });
const suspend = (apps: RegisterApplication[]) => apps.map((a) => ({ ...a, status: "SUSPENDED" as const }));

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function follow(
  initial = register(1),
  options: Partial<RegisterFollowerOptions> & { standIn?: RegisterStandInOptions } = {},
): Promise<{ standIn: RegisterStandIn; follower: RegisterFollower; applied: ExchangeRegister[] }> {
  const { standIn: standInOptions, ...followerOptions } = options;
  const standIn = await startRegisterStandIn(initial, standInOptions);
  open.push(standIn);
  const applied: ExchangeRegister[] = [];
  const follower = createRegisterFollower({
    url: `${standIn.url}/`,
    serviceToken: standIn.token,
    logger,
    // A fetch or an acknowledgement that should succeed: room for a loaded CI machine (was 1 s).
    timeoutMs: 5000,
    maxBackoffMs: 200,
    ...followerOptions,
    onRegister: (r) => applied.push(r),
  });
  open.push(follower);
  return { standIn, follower, applied };
}

describe("following the exchange's register", () => {
  it("applies the register and each newer revision, acknowledging each, and is current while its acknowledgements are confirmed", async () => {
    // A 3 s deadline: this test expects the follower current throughout, and with the stand-in's 400 ms one acknowledgement
    // slowed by a loaded CI machine was enough to make it not current.
    const { standIn, follower, applied } = await follow(register(3), { standIn: { staleAfterMs: 3000 } });
    await follower.ready();
    expect(applied.map((r) => r.revision)).toEqual([3]);
    expect(follower.current()).toBe(true);

    const next = standIn.change(suspend);
    await expect.poll(() => applied.length, { timeout: 5000, interval: 10 }).toBe(2);
    expect(applied[1]).toMatchObject({ revision: 4, applications: [{ status: "SUSPENDED" }] });
    expect(follower.revision).toBe(next.revision);
    // Heartbeats naming the applied revision fetch nothing more, but each is acknowledged (and keeps it current).
    const { fetches, acks } = standIn.counts;
    await expect.poll(() => standIn.counts.acks, { timeout: 5000, interval: 10 }).toBeGreaterThan(acks + 1);
    expect(standIn.counts.fetches).toBe(fetches);
    expect(follower.current()).toBe(true);
  });

  it("holds a change by the time the exchange may answer it: settled as soon as it was acknowledged, well within the deadline", async () => {
    // Heartbeats every 2.5 s and a 5 s deadline (were 1 s and 3 s), so that the fetch and acknowledgement of the change
    // have 1.5 s on a loaded CI machine and still come well before a heartbeat could have told the follower of it.
    const heartbeatMs = 2500;
    const staleAfterMs = 5000;
    const { standIn, follower } = await follow(register(1), { standIn: { heartbeatMs, staleAfterMs } });
    await follower.ready();
    // Past the stand-in's start-up window (a previous incarnation's followers), so only this follower is waited for.
    await new Promise((r) => setTimeout(r, staleAfterMs));
    const started = performance.now();
    const changed = standIn.change(suspend);
    const settlement = await standIn.settled(changed.revision);
    // Heartbeats come only every 2.5 s: the acknowledgement of the change itself settled it.
    expect(performance.now() - started).toBeLessThan(heartbeatMs - 1000);
    expect(settlement).toMatchObject({ acknowledged: 1, lapsed: 0 });
    expect(follower.revision).toBe(changed.revision);
    expect(follower.current()).toBe(true);
  }, 30_000);

  it("is not current while the exchange does not confirm its acknowledgements, though the stream goes on", async () => {
    const { standIn, follower } = await follow();
    await follower.ready();
    standIn.withholdConfirmations(true);
    const withheld = performance.now();
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 10 }).toBe(false);
    // staleAfterMs is 400 on this stream, counted from the last confirmed acknowledgement's sending: not current by then,
    // though the stream goes on (margin for a loaded CI machine; the acknowledgements' timeout is 5 s).
    expect(performance.now() - withheld).toBeLessThan(1500);
    expect(standIn.counts.fetches).toBe(1);
    standIn.withholdConfirmations(false);
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 10 }).toBe(true);
  });

  it("checks at use time on its clock: a process paused past the deadline is not current until a new acknowledgement is confirmed", async () => {
    let paused = 0;
    // A 3 s deadline (was the stand-in's 400 ms): current right after ready() even if a loaded machine was slow.
    const staleAfterMs = 3000;
    const { standIn, follower } = await follow(register(1), { now: () => performance.now() + paused, standIn: { staleAfterMs } });
    await follower.ready();
    expect(follower.current()).toBe(true);
    // No timer ran while the process was paused: only the clock moved.
    paused += staleAfterMs;
    expect(follower.current()).toBe(false);
    expect(follower.staleForMs()).toBeGreaterThanOrEqual(staleAfterMs);
    const acks = standIn.counts.acks;
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 10 }).toBe(true);
    expect(standIn.counts.acks).toBeGreaterThan(acks);
  });

  it("measures currency from when the confirmed acknowledgement was sent, not from when its answer came", async () => {
    let delayMs = 0;
    const exchange = await startRegisterStandIn(register(1), { heartbeatMs: 100, staleAfterMs: 500 });
    open.push(exchange);
    // A slow network in front of the acknowledgements only.
    const proxy = createServer((req, res) => {
      const pass = async () => {
        if (req.url === "/v1/register/ack") await new Promise((r) => setTimeout(r, delayMs));
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const init = { method: req.method ?? "GET", headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" } };
        const upstream = await fetch(`${exchange.url}${req.url}`, req.method === "POST" ? { ...init, body: Buffer.concat(chunks) } : init);
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" });
        if (upstream.body === null) return void res.end();
        const reader = upstream.body.getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) res.write(read.value);
        res.end();
      };
      // A connection closed at the end of the test ends its passing on.
      pass().catch(() => res.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise<void>((r) => (proxy.closeAllConnections(), proxy.close(() => r()))) });
    const follower = createRegisterFollower({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, serviceToken: exchange.token, logger, onRegister: () => undefined });
    open.push(follower);
    await follower.ready();
    delayMs = 350;
    exchange.change(suspend);
    const acks = exchange.counts.acks;
    // Two more: one already past the proxy before the delay was set may be counted first; the second was delayed.
    await expect.poll(() => exchange.counts.acks, { timeout: 5000, interval: 5 }).toBeGreaterThan(acks + 1);
    // The confirmation arrives ~350 ms after it was sent: it keeps the register current only ~150 ms more.
    await new Promise((r) => setTimeout(r, 100));
    expect(follower.staleForMs()).toBeGreaterThanOrEqual(350);
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 10 }).toBe(false);
  });

  it("fails closed once the stream is silent, reconnects, and recovers when it speaks again", async () => {
    // A stream opened while the stand-in is silent waits up to timeoutMs for its first event: 2 s keeps recovery quick.
    const { standIn, follower } = await follow(register(1), { timeoutMs: 2000 });
    await follower.ready();
    standIn.silence();
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(false);
    expect(follower.staleForMs()).toBeGreaterThanOrEqual(400);
    // The silent connection is dropped by the watchdog and a new one opened (with backoff).
    await expect.poll(() => standIn.counts.streams, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(follower.current()).toBe(false);
    standIn.resume();
    await expect.poll(() => follower.current(), { timeout: 10_000, interval: 20 }).toBe(true);
  });

  it("is behind, not current, while a newer revision it heard cannot be fetched", async () => {
    const { standIn, follower } = await follow();
    await follower.ready();
    standIn.change((apps) => apps);
    standIn.silence();
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(false);
    expect(follower.revision).toBe(1);
  });

  it("never applies a register that breaks the contract: it stays behind, unconfirmed, until a good revision comes", async () => {
    const { standIn, follower, applied } = await follow();
    await follower.ready();
    standIn.corrupt();
    await expect.poll(() => standIn.counts.fetches, { timeout: 5000, interval: 10 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(false);
    expect(applied.map((r) => r.revision)).toEqual([1]);
    standIn.change((apps) => apps);
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(true);
    expect(applied.map((r) => r.revision)).toEqual([1, 3]);
  });

  it("never applies a register without the right token, nor trusts a stream whose events break the contract", async () => {
    const refused = await follow(register(1), { serviceToken: "wrong-token-wrong-token-wrong" });
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: revision\ndata: {"revision":"one"}\n\n`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) });
    const malformed = createRegisterFollower({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, serviceToken: registerStandInToken, logger, onRegister: () => undefined });
    open.push(malformed);
    await expect.poll(() => refused.standIn.counts.unauthorized, { timeout: 5000, interval: 10 }).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(refused.applied).toEqual([]);
    for (const follower of [refused.follower, malformed]) {
      expect(follower.current()).toBe(false);
      expect(follower.revision).toBe(-1);
    }
  });
});
