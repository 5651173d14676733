/**
 * The DMT adapter's cache of legacy answers against the real DMT simulator (its call counter says what reached the
 * DMT): kept answers, their TTL (a fake clock), faults never kept, the cache off, identical calls in flight merged,
 * its settings, and purges from the real registry's change feed when a person changes there.
 */
import { createLogger, listen, migrate, readMigrations, type Db, type Listening } from "@ndx/platform";
import { createTestGateway, testBackends, type Backend } from "@ndx/platform/testing";
import { ConfigError } from "@ndx/platform";
import { createRegistry, migrationsDir, seedRegistry } from "@ndx/registry";
import type { DmtLegacy } from "@ndx/dmt-legacy";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadDmtAdapterConfig } from "../src/index.ts";
import { canonical, entitiesOf, generated, startAdapter, startSimulator, vehiclesOf, type Harness } from "./harness.ts";

let dmt: DmtLegacy;
const open: Harness[] = [];
beforeAll(async () => {
  dmt = await startSimulator();
});
afterAll(() => dmt?.close());
afterEach(async () => {
  dmt.faults.clear();
  dmt.stats.reset();
  for (const h of open.splice(0)) await h.adapter.close();
});

function adapter(options: Parameters<typeof startAdapter>[1] = {}): Harness {
  const h = startAdapter(dmt, options);
  open.push(h);
  return h;
}

const upstreamCalls = () => dmt.stats.snapshot().total;
const chikondi = "199012345678";
const chikondisVehicles = ["FJ-1107-CE", "FJ-0093-MC"];
const regNos = (body: Awaited<ReturnType<typeof vehiclesOf>>) => entitiesOf(body).map((p) => (p?.vehicles as { regNo: string }[] | null)?.map((v) => v.regNo));

describe("the DMT adapter's cache", () => {
  it("answers a person's vehicles again from memory until the TTL ends", async () => {
    let t = 0;
    const { adapter: a } = adapter({ cache: { ttlMs: 30_000, emptyTtlMs: 5_000, now: () => t } });
    expect(regNos(await vehiclesOf(a, [chikondi]))).toEqual([chikondisVehicles]);
    t = 29_999;
    expect(regNos(await vehiclesOf(a, [chikondi]))).toEqual([chikondisVehicles]);
    expect(upstreamCalls()).toBe(1);
    t = 30_000;
    expect(regNos(await vehiclesOf(a, [chikondi]))).toEqual([chikondisVehicles]);
    expect(upstreamCalls()).toBe(2);
  });

  it("keeps 'no vehicles' only for the short empty TTL", async () => {
    let t = 0;
    const nobody = "200101010011";
    const { adapter: a } = adapter({ cache: { ttlMs: 30_000, emptyTtlMs: 5_000, now: () => t } });
    expect(regNos(await vehiclesOf(a, [nobody]))).toEqual([[]]);
    t = 4_999;
    await vehiclesOf(a, [nobody]);
    expect(upstreamCalls()).toBe(1);
    t = 5_000;
    await vehiclesOf(a, [nobody]);
    expect(upstreamCalls()).toBe(2);
  });

  it("never keeps a fault: the next request reaches the DMT and gets the vehicles", async () => {
    const { adapter: a } = adapter({ retries: 0, cache: { ttlMs: 30_000 } });
    dmt.faults.inject({ soapFault: "server", times: 1 });
    const failed = await vehiclesOf(a, [chikondi]);
    expect(failed.errors?.[0]?.extensions?.["code"]).toBe("UPSTREAM_UNAVAILABLE");
    expect(regNos(await vehiclesOf(a, [chikondi]))).toEqual([chikondisVehicles]);
    expect(upstreamCalls()).toBe(2);
  });

  it("off (as create() has it unless told): every request reaches the DMT", async () => {
    const { adapter: a } = adapter();
    for (let i = 0; i < 3; i++) await vehiclesOf(a, [chikondi]);
    expect(upstreamCalls()).toBe(3);
    expect(a.cache.enabled).toBe(false);
  });

  it("merges identical calls in flight: concurrent requests for one person make one DMT call", async () => {
    // The DMT holds its answer long enough for every request to arrive, however busy the machine.
    const { adapter: a } = adapter({ timeoutMs: 5000 });
    dmt.faults.inject({ latencyMs: 1500, times: 1 });
    const bodies = await Promise.all(Array.from({ length: 5 }, () => vehiclesOf(a, [chikondi])));
    for (const body of bodies) expect(regNos(body)).toEqual([chikondisVehicles]);
    expect(upstreamCalls()).toBe(1);
  });

  it("shares a failure in flight with every waiter, and keeps nothing of it", async () => {
    const { adapter: a } = adapter({ retries: 0, timeoutMs: 5000, cache: { ttlMs: 30_000 } });
    dmt.faults.inject({ latencyMs: 1500, soapFault: "server", times: 1 });
    const bodies = await Promise.all(Array.from({ length: 3 }, () => vehiclesOf(a, [chikondi])));
    for (const body of bodies) expect(body.errors?.[0]?.extensions?.["code"]).toBe("UPSTREAM_UNAVAILABLE");
    expect(upstreamCalls()).toBe(1);
    expect(regNos(await vehiclesOf(a, [chikondi]))).toEqual([chikondisVehicles]);
    expect(upstreamCalls()).toBe(2);
  });

  it("counts hits and misses on /metrics", async () => {
    const { adapter: a } = adapter({ cache: { ttlMs: 30_000 } });
    await vehiclesOf(a, [chikondi, canonical.find((c) => c.nic !== chikondi)?.nic ?? ""]);
    await vehiclesOf(a, [chikondi]);
    const text = await (await a.yoga.fetch("http://dmt.test/metrics")).text();
    expect(text).toMatch(/^ndx_legacy_cache_lookups_total\{provider="dmt",result="hit"[^}]*\} 1$/m);
    expect(text).toMatch(/^ndx_legacy_cache_lookups_total\{provider="dmt",result="miss"[^}]*\} 2$/m);
    expect(text).toMatch(/^ndx_legacy_cache_entries\{provider="dmt"[^}]*\} 2$/m);
  });
});

describe("what the cache never does", () => {
  it("serve a kept answer to anyone but the gateway: every forged or missing credential is refused before the cache", async () => {
    const gateway = createTestGateway();
    const { adapter: a } = adapter({ cache: { ttlMs: 600_000 }, gatewayTrust: gateway.trust, graphiql: false });
    const ask = async (headers: Record<string, string>) =>
      a.yoga.fetch("http://dmt.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { vehicles { regNo } } } }`,
          variables: { r: [{ __typename: "Person", nic: chikondi }] },
        }),
      });
    const caller = { kind: "consumer" as const, id: "passport-app", roles: [], traceId: undefined };
    const genuine = await ask(await gateway.headers("dmt", caller));
    expect(genuine.status).toBe(200);
    expect(a.cache.size).toBe(1);
    for (const [name, headers] of Object.entries(await gateway.forgeries("dmt", caller))) {
      const refused = await ask(headers);
      expect(refused.status, name).toBe(401);
      expect(await refused.text(), name).not.toContain("FJ-1107-CE");
    }
    expect(upstreamCalls()).toBe(1);
  });
});

describe("its settings", () => {
  const production = { NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json", DMT_LEGACY_PASSWORD: "p".repeat(24) };

  it("keep answers 30 s, empty ones 5 s, at most 10000, unless DMT_LEGACY_CACHE_* say otherwise", () => {
    expect(loadDmtAdapterConfig(production).cache).toEqual({ ttlMs: 30_000, emptyTtlMs: 5_000, maxEntries: 10_000 });
    const set = { ...production, DMT_LEGACY_CACHE_TTL_MS: "2000", DMT_LEGACY_CACHE_EMPTY_TTL_MS: "500", DMT_LEGACY_CACHE_MAX_ENTRIES: "50" };
    expect(loadDmtAdapterConfig(set).cache).toEqual({ ttlMs: 2000, emptyTtlMs: 500, maxEntries: 50 });
  });

  it("turn the cache off with DMT_LEGACY_CACHE_TTL_MS=0 alone (empty answers are never kept longer)", () => {
    expect(loadDmtAdapterConfig({ ...production, DMT_LEGACY_CACHE_TTL_MS: "0" }).cache).toMatchObject({ ttlMs: 0, emptyTtlMs: 0 });
  });

  it("refuse what is not a duration or a size, naming each variable", () => {
    const bad = { ...production, DMT_LEGACY_CACHE_TTL_MS: "-1", DMT_LEGACY_CACHE_EMPTY_TTL_MS: "soon", DMT_LEGACY_CACHE_MAX_ENTRIES: "0" };
    let error: unknown;
    try {
      loadDmtAdapterConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of ["DMT_LEGACY_CACHE_TTL_MS", "DMT_LEGACY_CACHE_EMPTY_TTL_MS", "DMT_LEGACY_CACHE_MAX_ENTRIES"]) expect(problems).toContain(name);
  });

  it("follow no change feed in production unless REGISTRY_EVENTS_URL names one, and then require its token", () => {
    expect(loadDmtAdapterConfig(production).registryEvents).toBeUndefined();
    const url = "https://registry.internal/events";
    expect(() => loadDmtAdapterConfig({ ...production, REGISTRY_EVENTS_URL: url })).toThrow(/REGISTRY_EVENTS_TOKEN/);
    expect(loadDmtAdapterConfig({ ...production, REGISTRY_EVENTS_URL: url, REGISTRY_EVENTS_TOKEN: "t".repeat(32) }).registryEvents).toEqual({
      url,
      token: "t".repeat(32),
      pollMs: 1000,
    });
  });

  it("follow the development registry's feed in development", () => {
    expect(loadDmtAdapterConfig({ NDX_ENV: "development" }).registryEvents).toEqual({
      url: "http://localhost:4001/events",
      token: "dev-registry-events-token",
      pollMs: 1000,
    });
  });
});

describe("purges from the registry's change feed", () => {
  const backend = testBackends()[0] as Backend;
  const gateway = createTestGateway();
  const eventsToken = "test-registry-events-token";
  let db: Db;
  let registry: Listening;
  let registryYoga: Parameters<typeof listen>[0];

  beforeAll(async () => {
    db = await backend.open("registry");
    await migrate(db, readMigrations(migrationsDir), "ndx:registry");
    await seedRegistry(db, [...canonical, ...generated.slice(0, 10)]);
    const yoga = await createRegistry({ db, logger: createLogger("registry", "silent"), gatewayTrust: gateway.trust, eventsToken });
    registryYoga = yoga;
    registry = await listen(yoga, 0);
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
    await db?.close();
  });

  async function asStaff(id: string, roles: string[], source: string, variables: Record<string, unknown>) {
    const response = await fetch(`${registry.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await gateway.headers("registry", { kind: "staff", id, roles, traceId: undefined })) },
      body: JSON.stringify({ query: source, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, { id: string; status: string }>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  /** A registrar moves the person, a second one approves: the registry applies the change and writes its event. */
  async function move(nic: string, district: string) {
    const submitted = await asStaff("registrar.maker", ["registrar"], `mutation($input: SubmitChangeRequestInput!) { submitChangeRequest(input: $input) { id status } }`, {
      input: { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: 1, payload: { district }, reason: "Moved", idempotencyKey: `move-${nic}-${district}` },
    });
    const id = submitted?.["submitChangeRequest"]?.id;
    const approved = await asStaff("registrar.checker", ["registrar", "approver"], `mutation($id: ID!, $comment: String!) { approveChangeRequest(id: $id, comment: $comment) { id status } }`, {
      id,
      comment: "Checked",
    });
    expect(approved?.["approveChangeRequest"]?.status).toBe("APPROVED");
  }

  async function until(condition: () => boolean, what: string) {
    for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!condition()) throw new Error(`timed out waiting for ${what}`);
  }

  /** Asks until the answers are kept: the cache is used only once the feed has been read to its end. */
  async function kept(a: Harness["adapter"], nics: string[]) {
    for (let i = 0; i < 200 && a.cache.size < nics.length; i++) {
      await vehiclesOf(a, nics);
      if (a.cache.size < nics.length) await new Promise((r) => setTimeout(r, 25));
    }
    expect(a.cache.size).toBe(nics.length);
  }

  it("drops a person's kept answers when the registry changes them, and nobody else's", async () => {
    const other = canonical.find((c) => c.nic !== chikondi)?.nic ?? "";
    const { adapter: a } = adapter({
      cache: { ttlMs: 600_000 },
      registryEvents: { url: `${registry.url}/events`, token: eventsToken, pollMs: 1000 },
    });
    const metric = async (reason: string) =>
      Number(new RegExp(`^ndx_legacy_cache_evictions_total\\{provider="dmt",reason="${reason}"[^}]*\\} (\\d+)$`, "m").exec(await (await a.yoga.fetch("http://dmt.test/metrics")).text())?.[1]);
    await kept(a, [chikondi, other]);
    dmt.stats.reset();
    await vehiclesOf(a, [chikondi, other]);
    expect(upstreamCalls()).toBe(0);

    await move(chikondi, "Isamba");
    await until(() => a.cache.size === 1, "the purge");
    expect(await metric("purged")).toBe(1);
    expect(regNos(await vehiclesOf(a, [chikondi, other]))).toEqual([chikondisVehicles, expect.any(Array)]);
    expect(dmt.stats.snapshot().byOperation).toEqual({ GetVehiclesByOwner: 1 });
  });

  it("drops every kept answer when the registry is restored from a backup (its feed no longer holds the last event read)", async () => {
    // The feed's address stays; what answers there changes from the registry to a fresh one, as after a restore.
    let serving: Parameters<typeof listen>[0] = registryYoga;
    const address = await listen((request, response) => serving(request, response), 0);
    const fresh = await backend.open("registry_restored");
    try {
      await migrate(fresh, readMigrations(migrationsDir), "ndx:registry");
      await seedRegistry(fresh, [...canonical, ...generated.slice(0, 10)]);
      const restored = await createRegistry({ db: fresh, logger: createLogger("registry", "silent"), gatewayTrust: gateway.trust, eventsToken });
      const { adapter: a } = adapter({
        // Empty answers kept as long, whoever has vehicles.
        cache: { ttlMs: 600_000, emptyTtlMs: 600_000 },
        registryEvents: { url: `${address.url}/events`, token: eventsToken, pollMs: 1000 },
      });
      // A change the follower has read (it purged the person), so that it has an event to remember.
      const moved = generated[0]?.nic ?? "";
      await kept(a, [moved]);
      await move(moved, "Isamba");
      await until(() => a.cache.size === 0, "the moved person purged");
      await kept(a, [canonical.find((c) => c.nic !== chikondi)?.nic ?? ""]);
      serving = restored;
      await until(() => a.cache.size === 0, "the kept answers dropped");
      dmt.stats.reset();
      await kept(a, [chikondi]);
      expect(upstreamCalls()).toBeGreaterThanOrEqual(1);
    } finally {
      await address.close();
      await fresh.close();
    }
  });

  it("stops being used once the feed has been unreadable for three polls (the registry gone)", async () => {
    const second = await listen(registryYoga, 0);
    const { adapter: a } = adapter({ cache: { ttlMs: 600_000 }, registryEvents: { url: `${second.url}/events`, token: eventsToken, pollMs: 1000 } });
    await kept(a, [chikondi]);
    dmt.stats.reset();
    await vehiclesOf(a, [chikondi]);
    expect(upstreamCalls()).toBe(0);
    await second.close();
    // Stale three polls (3 s) after the last complete read.
    await new Promise((r) => setTimeout(r, 4000));
    await vehiclesOf(a, [chikondi]);
    await vehiclesOf(a, [chikondi]);
    expect(upstreamCalls()).toBe(2);
  });

  it("is not used while the feed cannot be read (a wrong token here): every call reaches the DMT", async () => {
    const { adapter: a } = adapter({
      cache: { ttlMs: 600_000 },
      registryEvents: { url: `${registry.url}/events`, token: "not-the-token", pollMs: 1000 },
    });
    for (let i = 0; i < 3; i++) await vehiclesOf(a, [chikondi]);
    expect(upstreamCalls()).toBe(3);
    expect(a.cache.size).toBe(0);
  });
});
