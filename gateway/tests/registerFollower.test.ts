/**
 * The register follower against a real HTTP server speaking the register's contract (registerStandIn.ts): it applies
 * each new revision, refuses to call a silent register current once the stream's deadline has passed, reconnects and
 * recovers, and never applies what breaks the contract.
 */
import type { ExchangeRegister } from "@ndx/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { createRegisterFollower, type RegisterFollower } from "../src/access/registerFollower.ts";
import { logger, seededRegister } from "./harness.ts";
import { exchangeToken, startRegisterStandIn, type RegisterStandIn } from "./registerStandIn.ts";

let standIn: RegisterStandIn | undefined;
let follower: RegisterFollower | undefined;
afterEach(async () => {
  follower?.close();
  await standIn?.close();
});

async function follow(register: ExchangeRegister, token = exchangeToken) {
  standIn = await startRegisterStandIn(register);
  const applied: ExchangeRegister[] = [];
  follower = createRegisterFollower({ url: `${standIn.url}/`, serviceToken: token, logger, onRegister: (r) => applied.push(r) });
  return { standIn, follower, applied };
}

describe("following the exchange's register", () => {
  it("applies the register, then each newer revision within a second, and is current while it hears the stream", async () => {
    const { standIn, follower, applied } = await follow(seededRegister(3));
    await follower.ready();
    expect(applied.map((r) => r.revision)).toEqual([3]);
    expect(follower.current()).toBe(true);

    standIn.change((apps) => apps.map((a) => (a.id === "passport-app" ? { ...a, status: "SUSPENDED" } : a)));
    const started = performance.now();
    await expect.poll(() => applied.length, { timeout: 1000, interval: 10 }).toBe(2);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(applied[1]?.revision).toBe(4);
    expect(applied[1]?.applications.find((a) => a.id === "passport-app")?.status).toBe("SUSPENDED");
    expect(follower.revision).toBe(4);
    // Heartbeats naming the applied revision fetch nothing more.
    const fetches = standIn.counts.fetches;
    await new Promise((r) => setTimeout(r, 200));
    expect(standIn.counts.fetches).toBe(fetches);
    expect(follower.current()).toBe(true);
  });

  it("fails closed once nothing was heard for the stream's deadline, and recovers when the stream speaks again", async () => {
    const { standIn, follower } = await follow(seededRegister(1));
    await follower.ready();
    standIn.silence();
    // staleAfterMs is 400 on this stream: past it, the register held may be out of date.
    await expect.poll(() => follower.current(), { timeout: 2000, interval: 20 }).toBe(false);
    expect(follower.staleForMs()).toBeGreaterThanOrEqual(400);
    // The silent connection is dropped by the watchdog and a new one opened (with backoff).
    await expect.poll(() => standIn.counts.streams, { timeout: 3000, interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(follower.current()).toBe(false);
    standIn.resume();
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(true);
  });

  it("is behind, not current, while a newer revision it heard cannot be fetched", async () => {
    const { standIn, follower } = await follow(seededRegister(1));
    await follower.ready();
    standIn.change((apps) => apps);
    standIn.silence();
    await expect.poll(() => follower.current(), { timeout: 2000, interval: 20 }).toBe(false);
    expect(follower.revision).toBe(1);
  });

  it("never applies a register that breaks the contract: it stays behind, and is not current past the deadline", async () => {
    const { standIn, follower, applied } = await follow(seededRegister(1));
    await follower.ready();
    standIn.corrupt();
    await expect.poll(() => standIn.counts.fetches, { timeout: 1000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => follower.current(), { timeout: 2000, interval: 20 }).toBe(false);
    expect(applied.map((r) => r.revision)).toEqual([1]);
    // The next good revision is applied and the follower is current again.
    standIn.change((apps) => apps);
    await expect.poll(() => follower.current(), { timeout: 1000, interval: 20 }).toBe(true);
    expect(applied.map((r) => r.revision)).toEqual([1, 3]);
  });

  it("never applies a register without the right token, and is never current then", async () => {
    const { standIn, follower, applied } = await follow(seededRegister(1), "wrong-token-wrong-token-wrong");
    await expect.poll(() => standIn.counts.unauthorized, { timeout: 2000 }).toBeGreaterThanOrEqual(1);
    expect(applied).toEqual([]);
    expect(follower.current()).toBe(false);
    expect(follower.revision).toBe(-1);
  });
});
