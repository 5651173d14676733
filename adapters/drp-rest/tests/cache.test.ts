/**
 * The DRP adapter's cache in front of its batch lookup, against the real DRP simulator (its call counter says what
 * reached the DRP): only the people neither kept nor in flight are asked for, in one batch; "not known" is kept only
 * briefly; a failed batch fails only those it asked for; concurrent requests for one person make one call.
 */
import type { DrpLegacy } from "@ndx/drp-legacy";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadDrpAdapterConfig } from "../src/index.ts";
import { canonical, entities, generated, startAdapter, startSimulator, type Harness } from "./harness.ts";

let drp: DrpLegacy;
const open: Harness[] = [];
beforeAll(async () => {
  drp = await startSimulator();
});
afterAll(() => drp?.close());
afterEach(async () => {
  drp.faults.clear();
  drp.stats.reset();
  for (const h of open.splice(0)) await h.adapter.close();
});

function adapter(options: Parameters<typeof startAdapter>[1] = {}): Harness {
  const h = startAdapter(drp, options);
  open.push(h);
  return h;
}

const calls = () => drp.stats.snapshot().byOperation;
const [a, b, c, d] = [canonical[0]?.nic, canonical[1]?.nic, generated[0]?.nic, generated[1]?.nic] as [string, string, string, string];
const names = (body: Awaited<ReturnType<typeof entities>>) => (body.data?._entities ?? []).map((p) => p?.["registeredName"] ?? null);

describe("the DRP adapter's cache", () => {
  it("asks the DRP only for the people it does not hold, in one batch", async () => {
    const { adapter: x } = adapter({ cache: { ttlMs: 30_000 } });
    const first = await entities(x, [a, b, c]);
    expect(first.errors).toBeUndefined();
    expect(calls()).toEqual({ batchLookup: 1 });
    const second = await entities(x, [a, b, c, d]);
    expect(names(second).slice(0, 3)).toEqual(names(first));
    // Only d was asked for, and alone: GET /persons/{nic}.
    expect(calls()).toEqual({ batchLookup: 1, getPerson: 1 });
    await entities(x, [d, c, b, a]);
    expect(calls()).toEqual({ batchLookup: 1, getPerson: 1 });
  });

  it("keeps 'not known to the DRP' only for the empty TTL", async () => {
    let t = 0;
    const unknown = "209912319999";
    const { adapter: x } = adapter({ cache: { ttlMs: 30_000, emptyTtlMs: 5_000, now: () => t } });
    expect(names(await entities(x, [unknown]))).toEqual([null]);
    t = 4_999;
    await entities(x, [unknown]);
    expect(calls()).toEqual({ getPerson: 1 });
    t = 5_000;
    await entities(x, [unknown]);
    expect(calls()).toEqual({ getPerson: 2 });
  });

  it("fails only the people a failed batch asked for; those it holds are still answered", async () => {
    const { adapter: x } = adapter({ retries: 0, cache: { ttlMs: 30_000 } });
    const held = names(await entities(x, [a]));
    drp.faults.inject({ status: 503, times: 1 });
    const body = await entities(x, [a, c, d]);
    expect(names(body)[0]).toEqual(held[0]);
    expect(body.errors?.map((e) => e.extensions?.["code"])).toEqual(["UPSTREAM_UNAVAILABLE", "UPSTREAM_UNAVAILABLE"]);
    expect(body.errors?.map((e) => e.path?.[1])).toEqual([1, 2]);
    // Nothing of the failure was kept.
    expect((await entities(x, [c, d])).errors).toBeUndefined();
  });

  it("merges concurrent requests for the same people into one DRP call", async () => {
    // The DRP holds its answer long enough for every request to arrive, however busy the machine.
    const { adapter: x } = adapter({ timeoutMs: 5000 });
    drp.faults.inject({ latencyMs: 1500, times: 1 });
    const bodies = await Promise.all(Array.from({ length: 4 }, () => entities(x, [a, b])));
    for (const body of bodies) expect(body.errors).toBeUndefined();
    expect(calls()).toEqual({ batchLookup: 1 });
  });

  it("is configured by DRP_LEGACY_CACHE_*: 30 s, 5 s for 'not known', 10000 by default; TTL 0 turns it off", () => {
    const production = { NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json", DRP_LEGACY_API_KEY: "k".repeat(32) };
    expect(loadDrpAdapterConfig(production).cache).toEqual({ ttlMs: 30_000, emptyTtlMs: 5_000, maxEntries: 10_000 });
    expect(loadDrpAdapterConfig({ ...production, DRP_LEGACY_CACHE_TTL_MS: "0" }).cache).toMatchObject({ ttlMs: 0, emptyTtlMs: 0 });
  });
});
