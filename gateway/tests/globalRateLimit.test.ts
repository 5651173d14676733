/**
 * Global rate limits: replicas lease a caller's budget from one database, so N replicas give it once — on PGlite and,
 * with TEST_DATABASE_URL, on PostgreSQL; the local share when the store cannot be reached; then two real gateway
 * replicas over one database, through HTTP handlers and the access plugin.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate, readMigrations, type Db, type Queryable } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { createGlobalLimiter, type GlobalLimiter } from "../src/access/globalRateLimit.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { loadGatewayConfig, type Gateway } from "../src/index.ts";
import { startSystem, type System } from "./system.ts";

/** Takes `n` requests round-robin over the limiters, waiting for leases between them as a steady caller would. */
async function spend(limiters: readonly GlobalLimiter[], n: number, budget: number): Promise<number[]> {
  const admitted = limiters.map(() => 0);
  for (let i = 0; i < n; i++) {
    const at = i % limiters.length;
    if (limiters[at]!.take("passport-app", budget) === 0) admitted[at]! += 1;
    await Promise.all(limiters.map((l) => l.settled()));
  }
  return admitted;
}

for (const backend of testBackends()) {
  describe(`leased budgets on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });
    const open = async () => {
      db = await backend.open("gateway");
      await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      return db;
    };

    it("admits a caller's budget once across three replicas, and again in the next window", async () => {
      const store = await open();
      let t = 1_000_000;
      const replicas = [1, 2, 3].map(() => createGlobalLimiter({ db: store, clock: () => t }));
      const first = await spend(replicas, 90, 30);
      expect(first.reduce((a, b) => a + b)).toBe(30);
      for (const n of first) expect(n).toBeGreaterThan(0);
      const refused = replicas.map((r) => r.take("passport-app", 30));
      for (const wait of refused) expect(wait).toBe(1000);
      expect(replicas[0]!.take("benefits-app", 30)).toBe(0); // another caller has its own budget
      t += 1000;
      expect((await spend(replicas, 90, 30)).reduce((a, b) => a + b)).toBe(30);
      const { rows } = await store.query<{ used: number }>("SELECT used FROM rate_window WHERE key = 'passport-app' ORDER BY window_start");
      expect(rows.map((r) => Number(r.used) >= 30)).toEqual([true, true]);
    });

    it("loses at most one unspent slice per replica: slices are leased only as the last one is spent", async () => {
      const store = await open();
      const t = 2_000_000;
      const [quiet, busy] = [1, 2].map(() => createGlobalLimiter({ db: store, clock: () => t }));
      expect(await spend([quiet!], 1, 100)).toEqual([1]);
      // The quiet replica holds the rest of its one slice (5 of a budget of 100, less the one it spent); the busy one gets the rest.
      expect(await spend([busy!], 120, 100)).toEqual([94]);
    });
  });
}

describe("when the store cannot be reached", () => {
  it("each replica admits its local share (the budget divided by the replicas), and tries the store again later", async () => {
    let up = false;
    let t = 5_000;
    const real = await testBackends()[0]!.open("gateway");
    await migrate(real, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const flaky: Queryable = { query: (sql, params) => (up ? real.query(sql, params) : Promise.reject(new Error("connection refused"))) };
    const replicas = [1, 2].map(() => createGlobalLimiter({ db: flaky, clock: () => t, replicas: 2, retryMs: 2000 }));
    const down = await spend(replicas, 40, 20);
    expect(down).toEqual([10, 10]);
    up = true;
    t += 1000; // still within retryMs: the local share again, no lease tried
    expect(await spend(replicas, 40, 20)).toEqual([10, 10]);
    t += 2000;
    expect((await spend(replicas, 40, 20)).reduce((a, b) => a + b)).toBe(20);
    await real.close();
  });
});

describe("configuration", () => {
  it("is global with PostgreSQL (DATABASE_URL), per replica on PGlite unless RATE_LIMIT_GLOBAL says otherwise", () => {
    expect(loadGatewayConfig({ DATABASE_URL: "postgres://db/ndx" }).rateLimit).toMatchObject({ global: true, replicas: 1 });
    expect(loadGatewayConfig({ RATE_LIMIT_GLOBAL: "true", RATE_LIMIT_REPLICAS: "3" }).rateLimit).toMatchObject({ global: true, replicas: 3 });
    expect(loadGatewayConfig({ DATABASE_URL: "postgres://db/ndx", RATE_LIMIT_GLOBAL: "false" }).rateLimit.global).toBe(false);
    expect(() => loadGatewayConfig({ RATE_LIMIT_REPLICAS: "0" })).toThrow(/RATE_LIMIT_REPLICAS="0"/);
  });
});

describe("two gateway replicas over one database", () => {
  let system: System;
  let second: Gateway;
  let token: string;
  beforeAll(async () => {
    system = await startSystem({ env: { RATE_LIMIT_CONSUMERS: "passport-app=5/100", RATE_LIMIT_GLOBAL: "true" } });
    second = await system.replica("second");
    token = await system.token("passport-app");
  });
  afterAll(async () => system?.close());

  it("give a consumer its rate once, not once per replica", async () => {
    // Start early in a wall-clock second, so that the requests span as few windows as possible.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const first = Math.floor(Date.now() / 1000);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const via = i % 2 === 0 ? system.gateway : second;
      const { status } = await system.query({ query: "{ districts }" }, { authorization: `Bearer ${token}`, "x-purpose": "passport-application" }, via);
      statuses.push(status);
    }
    const windows = Math.floor(Date.now() / 1000) - first + 1;
    const ok = statuses.filter((s) => s === 200).length;
    // Per replica, each would admit its burst of 100: all 30. Held once, 5 a second over however many seconds it took.
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(5 * windows);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
    expect(windows).toBeLessThan(6);
  });
});
