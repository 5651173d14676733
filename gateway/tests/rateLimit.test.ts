/**
 * Per-consumer rate limits: the GCRA limiter on an injected clock (no sleeps, no timing), then through the real
 * gateway and real subgraphs: a consumer over its rate gets 429 with Retry-After before anything is called, another
 * consumer is unaffected, and once the clock has moved on the first is admitted again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumerRateLimit, createRateLimiter, loadGatewayConfig, type Caller } from "../src/index.ts";
import { startSystem, type System } from "./system.ts";

const consumer = (id: string): Caller => ({ kind: "consumer", id, roles: [], scopes: [] });

describe("the limiter (GCRA)", () => {
  it("admits a burst at once, then one request per interval, and says how long to wait", () => {
    let t = 1_000;
    const limiter = createRateLimiter({ now: () => t });
    const rate = { perSecond: 2, burst: 3 };
    expect([1, 2, 3].map(() => limiter.take("a", rate))).toEqual([0, 0, 0]);
    expect(limiter.take("a", rate)).toBe(500);
    t += 499;
    expect(limiter.take("a", rate)).toBe(1);
    t += 1;
    expect(limiter.take("a", rate)).toBe(0);
    expect(limiter.take("a", rate)).toBe(500);
    // A long pause refills the bucket to its burst, never beyond.
    t += 60_000;
    expect([1, 2, 3].map(() => limiter.take("a", rate))).toEqual([0, 0, 0]);
    expect(limiter.take("a", rate)).toBeGreaterThan(0);
  });

  it("keeps keys apart, and a refusal takes nothing from the allowance", () => {
    let t = 0;
    const limiter = createRateLimiter({ now: () => t });
    const rate = { perSecond: 1, burst: 1 };
    expect(limiter.take("a", rate)).toBe(0);
    expect(limiter.take("b", rate)).toBe(0);
    for (let i = 0; i < 100; i++) expect(limiter.take("a", rate)).toBe(1000);
    t += 1000;
    expect(limiter.take("a", rate)).toBe(0);
  });

  it("treats a rate of 0 as no limit and remembers nothing for it", () => {
    const limiter = createRateLimiter({ now: () => 0 });
    for (let i = 0; i < 1000; i++) expect(limiter.take("a", { perSecond: 0, burst: 1 })).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it("is bounded: beyond maxKeys the least recently admitted key is forgotten (a fresh allowance)", () => {
    let t = 0;
    const limiter = createRateLimiter({ now: () => t, maxKeys: 3 });
    const rate = { perSecond: 1, burst: 1 };
    for (const key of ["a", "b", "c"]) expect(limiter.take(key, rate)).toBe(0);
    t += 1000;
    expect(limiter.take("a", rate)).toBe(0); // a is now the most recent
    expect(limiter.take("d", rate)).toBe(0); // b, the least recent, goes
    expect(limiter.size).toBe(3);
    expect(limiter.take("b", rate)).toBe(0);
    expect(limiter.take("a", rate)).toBeGreaterThan(0);
  });
});

describe("the consumer check", () => {
  it("uses each consumer's own rate, refuses with RATE_LIMITED, HTTP 429 and a whole Retry-After of at least 1", () => {
    let t = 0;
    const limited: string[] = [];
    const check = createConsumerRateLimit({
      now: () => t,
      rate: { perSecond: 100, burst: 100 },
      consumers: { slow: { perSecond: 0.1, burst: 1 } },
      onLimited: (c) => limited.push(c),
    });
    expect(check(consumer("slow"))).toBeUndefined();
    const refusal = check(consumer("slow"));
    expect(refusal?.extensions["code"]).toBe("RATE_LIMITED");
    expect(refusal?.extensions["http"]).toEqual({ status: 429, headers: { "Retry-After": "10" } });
    expect(refusal?.extensions["retryAfterSeconds"]).toBe(10);
    t += 9_999.5;
    expect(check(consumer("slow"))?.extensions["http"]).toEqual({ status: 429, headers: { "Retry-After": "1" } });
    for (let i = 0; i < 100; i++) expect(check(consumer("fast"))).toBeUndefined();
    expect(check(consumer("fast"))?.extensions["code"]).toBe("RATE_LIMITED");
    expect(limited).toEqual(["slow", "slow", "fast"]);
  });

  it("counts a signed-in person under their kind in metrics, never their id", () => {
    const limited: string[] = [];
    const check = createConsumerRateLimit({ now: () => 0, rate: { perSecond: 1, burst: 1 }, onLimited: (c) => limited.push(c) });
    const citizen: Caller = { kind: "citizen", id: "199012345678", roles: [], scopes: [] };
    expect(check(citizen)).toBeUndefined();
    expect(check(citizen)?.message).not.toContain("199012345678");
    expect(check(consumer("199012345678"))).toBeUndefined(); // a consumer of the same id is someone else
    expect(limited).toEqual(["citizen"]);
  });
});

describe("configuration", () => {
  it("reads the default rate, the burst (twice the rate unless set) and per-consumer rates", () => {
    expect(loadGatewayConfig({}).rateLimit).toEqual({ rate: { perSecond: 500, burst: 1000 }, consumers: {}, global: false, replicas: 1 });
    expect(
      loadGatewayConfig({ RATE_LIMIT_PER_SECOND: "2.5", RATE_LIMIT_CONSUMERS: "passport-app=20/40, benefits-app=0.5,bulk=0" }).rateLimit,
    ).toEqual({
      rate: { perSecond: 2.5, burst: 5 },
      consumers: { "passport-app": { perSecond: 20, burst: 40 }, "benefits-app": { perSecond: 0.5, burst: 1 }, bulk: { perSecond: 0, burst: 1 } },
      global: false,
      replicas: 1,
    });
  });

  it("names a bad value", () => {
    expect(() => loadGatewayConfig({ RATE_LIMIT_PER_SECOND: "-1" })).toThrow(/RATE_LIMIT_PER_SECOND="-1"/);
    expect(() => loadGatewayConfig({ RATE_LIMIT_BURST: "0" })).toThrow(/RATE_LIMIT_BURST="0"/);
    expect(() => loadGatewayConfig({ RATE_LIMIT_CONSUMERS: "passport-app:20" })).toThrow(/RATE_LIMIT_CONSUMERS=.*passport-app:20/);
  });
});

describe("through the gateway, before any subgraph is called", () => {
  let system: System;
  let clock = 0;
  let benefits: string;
  let passport: string;
  beforeAll(async () => {
    system = await startSystem({ now: () => clock, env: { RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_CONSUMERS: "benefits-app=0.5/2" } });
    benefits = await system.token("benefits-app");
    passport = await system.token("passport-app");
  });
  afterAll(async () => system?.close());

  const districts = { query: "{ districts }" };
  const as = (token: string, purpose: string) => ({ authorization: `Bearer ${token}`, "x-purpose": purpose });

  it("answers 429 with Retry-After over the rate, leaves other consumers alone, and admits again once the time has passed", async () => {
    for (let i = 0; i < 2; i++) {
      const ok = await system.query(districts, as(benefits, "benefit-eligibility"));
      expect(ok.body["data"]["districts"]).toContain("Ibombo");
    }
    const before = system.upstreamCalls();
    const response = await system.gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...as(benefits, "benefit-eligibility") },
      body: JSON.stringify(districts),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(body.errors[0]?.extensions["code"]).toBe("RATE_LIMITED");
    expect(body.errors[0]?.message).toMatch(/benefits-app is over its rate limit of 0.5 requests per second/);
    expect(system.upstreamCalls()).toBe(before);

    const other = await system.query(districts, as(passport, "passport-application"));
    expect(other.status).toBe(200);
    expect(other.body["data"]["districts"]).toContain("Ibombo");

    clock += 1_999;
    const early = await system.query(districts, as(benefits, "benefit-eligibility"));
    expect(early.status).toBe(429);
    clock += 1;
    const again = await system.query(districts, as(benefits, "benefit-eligibility"));
    expect(again.status).toBe(200);
    expect(again.body["data"]["districts"]).toContain("Ibombo");

    const metrics = await (await system.gateway.yoga.fetch("http://gateway.test/metrics")).text();
    expect(metrics).toMatch(/ndx_requests_turned_away_total\{consumer="benefits-app",reason="rate_limited"[^}]*\} 2\n/);
  });

  it("writes no audit event for a request turned away (a flood must not fill the trail)", async () => {
    const traced = (n: number) => ({ ...as(benefits, "benefit-eligibility"), traceparent: `00-${"ab".repeat(15)}${String(n).padStart(2, "0")}-${"cd".repeat(8)}-01` });
    const events = async (n: number) =>
      (await system.gatewayDb.query("SELECT 1 FROM audit_event WHERE trace_id = $1", [`${"ab".repeat(15)}${String(n).padStart(2, "0")}`])).rows.length;
    clock += 10_000;
    expect((await system.query(districts, traced(1))).status).toBe(200);
    expect((await system.query(districts, traced(2))).status).toBe(200);
    expect((await system.query(districts, traced(3))).status).toBe(429);
    expect(await events(1)).toBeGreaterThan(0); // the permit is on the record before anything is read
    expect(await events(3)).toBe(0);
  });

  it("is per replica: a second replica has its own allowance", async () => {
    clock += 10_000;
    const replica = await system.replica("rate-limit-replica");
    for (let i = 0; i < 2; i++) expect((await system.query(districts, as(benefits, "benefit-eligibility"))).status).toBe(200);
    expect((await system.query(districts, as(benefits, "benefit-eligibility"))).status).toBe(429);
    expect((await system.query(districts, as(benefits, "benefit-eligibility"), replica)).status).toBe(200);
  });
});
