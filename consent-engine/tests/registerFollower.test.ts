/**
 * The engine's use of the shared register follower (@ndx/platform registerFollower.ts, tested there) against a real
 * HTTP stand-in of the exchange's register: it holds the applications, takes a change, refuses (503
 * UPSTREAM_UNAVAILABLE) what depends on the register once it is not current while keeping the last registration for
 * labels, and recovers; a wrong token is never trusted.
 */
import { createLogger } from "@ndx/platform";
import { startRegisterStandIn, type RegisterStandIn } from "@ndx/platform/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, followExchangeRegister, type ApplicationRegister } from "../src/index.ts";
import { seededRegister } from "./support/system.ts";

const logger = createLogger("register-follower-test", "silent");
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

// Deadlines and timeouts where the register must stay current leave room for a loaded 2-core CI machine: with 300 ms
// (and a 1 s acknowledgement timeout), one slow round trip made it not current, and current() then refused.
async function standIn(options: { heartbeatMs?: number; staleAfterMs?: number } = {}): Promise<RegisterStandIn> {
  const s = await startRegisterStandIn(seededRegister, { heartbeatMs: 50, staleAfterMs: 3000, ...options });
  open.push(s);
  return s;
}

function follow(url: string, token: string, timeoutMs = 5000): ApplicationRegister {
  const f = followExchangeRegister({ url, serviceToken: token, logger, timeoutMs, maxBackoffMs: 200 });
  open.push(f);
  return f;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function refusal(f: () => unknown): ApiError {
  try {
    f();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("exchange register follower", () => {
  it("holds the register and takes a change within a heartbeat", async () => {
    const exchange = await standIn();
    const register = follow(exchange.url, exchange.token);
    await register.ready();
    expect(register.fresh()).toBe(true);
    expect(register.current("passport-app")?.purposes[0]?.text).toBe("To process your passport application");
    expect(register.current("no-such-app")).toBeUndefined();

    exchange.change((apps) => apps.map((a) => (a.id === "passport-app" ? { ...a, status: "SUSPENDED" as const } : a)));
    await until(() => register.revision === 1);
    expect(register.current("passport-app")?.status).toBe("SUSPENDED");
    // One fetch for the start, one for the change: heartbeats naming the revision held fetch nothing.
    await new Promise((r) => setTimeout(r, 200));
    expect(exchange.counts.fetches).toBe(2);
  });

  it("fails closed once nothing was heard for staleAfterMs, keeps the last registration for labels, and recovers", async () => {
    const staleAfterMs = 1000;
    const exchange = await standIn({ heartbeatMs: 50, staleAfterMs });
    const register = follow(exchange.url, exchange.token);
    await register.ready();
    exchange.silence();
    const stalledAt = Date.now();
    await until(() => !register.fresh(), staleAfterMs + 5000);
    // By the deadline (with room for a loaded machine), well before the follower's 5 s timeout.
    expect(Date.now() - stalledAt).toBeLessThan(staleAfterMs + 1500);
    const refused = refusal(() => register.current("passport-app"));
    expect(refused).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", status: 503 });
    expect(register.lastKnown("passport-app")?.name).toBe(seededRegister.applications[0]?.name);

    exchange.resume();
    exchange.change((apps) => [...apps]);
    await until(() => register.fresh(), 10_000);
    expect(register.revision).toBe(1);
  });

  it("is not current while it cannot fetch a revision it has heard of", async () => {
    const staleAfterMs = 1000;
    const exchange = await standIn({ heartbeatMs: 50, staleAfterMs });
    const register = follow(exchange.url, exchange.token);
    await register.ready();
    // The stream goes on (heartbeats naming revision 1), but GET /v1/register breaks the contract.
    exchange.corrupt();
    await until(() => !register.fresh(), staleAfterMs + 5000);
    expect(register.revision).toBe(0);
    expect(register.lastKnown("passport-app")?.status).toBe("ACTIVE");
    exchange.change((apps) => apps);
    await until(() => register.fresh(), 10_000);
    expect(register.revision).toBe(2);
  });

  it("never trusts an exchange that refuses its token", async () => {
    const exchange = await standIn();
    const register = follow(exchange.url, "not-the-exchange-token-0000000000");
    // Refused, and refused again when it tries anew (a loaded machine may take longer than the 500 ms once slept here).
    await until(() => exchange.counts.unauthorized >= 2, 10_000);
    expect(exchange.counts.unauthorized).toBeGreaterThanOrEqual(1);
    expect(register.fresh()).toBe(false);
    expect(register.revision).toBe(-1);
    expect(refusal(() => register.current("passport-app")).code).toBe("UPSTREAM_UNAVAILABLE");
  });
});
