/** The legacy cache on its own, with a fake clock and counting loads: TTL, LRU, purges, failures, single-flight. */
import { createServiceMetrics } from "@ndx/platform";
import { describe, expect, it } from "vitest";
import { createLegacyCache, legacyKey, type LegacyCacheOptions } from "../src/index.ts";

function setup(options: Partial<LegacyCacheOptions> = {}) {
  let t = 1000;
  const calls: string[] = [];
  const cache = createLegacyCache({ provider: "test", ttlMs: 1000, emptyTtlMs: 100, now: () => t, ...options });
  /** A call whose answer is `answer(arg)` and which counts itself. */
  const get = (arg: string, answer: (arg: string) => unknown = (a) => `answer of ${a}`) =>
    cache.get({
      key: legacyKey("Op", arg),
      subject: arg,
      isEmpty: (value) => value === null,
      load: async () => {
        calls.push(arg);
        return answer(arg);
      },
    });
  return { cache, calls, get, advance: (ms: number) => (t += ms) };
}

/** A load that stays in flight until released. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("the legacy cache", () => {
  it("answers a repeated call from memory until the TTL ends, then asks again", async () => {
    const { get, calls, advance } = setup();
    expect(await get("a")).toBe("answer of a");
    advance(999);
    expect(await get("a")).toBe("answer of a");
    expect(calls).toEqual(["a"]);
    advance(1);
    expect(await get("a")).toBe("answer of a");
    expect(calls).toEqual(["a", "a"]);
  });

  it("keys by exactly the call: another argument or operation is another call", async () => {
    const { cache, get, calls } = setup();
    await get("a");
    await get("b");
    const other = await cache.get({ key: legacyKey("Other", "a"), load: async () => "other" });
    expect(other).toBe("other");
    expect(calls).toEqual(["a", "b"]);
    // Arguments cannot run into each other: ("a,b") is not ("a", "b").
    expect(legacyKey("Op", "a,b")).not.toBe(legacyKey("Op", "a", "b"));
  });

  it("counts the TTL from when the call started, so a slow answer is not kept longer", async () => {
    const { cache, advance } = setup();
    const load = deferred<string>();
    let calls = 0;
    const call = () => cache.get({ key: "k", load: () => (calls++, load.promise) });
    const first = call();
    advance(900);
    load.resolve("v");
    await first;
    advance(100);
    await cache.get({ key: "k", load: async () => (calls++, "again") });
    expect(calls).toBe(2);
  });

  it("keeps an empty answer only for the short empty TTL", async () => {
    const { get, calls, advance } = setup();
    expect(await get("nobody", () => null)).toBeNull();
    advance(99);
    await get("nobody", () => null);
    expect(calls).toHaveLength(1);
    advance(1);
    await get("nobody", () => null);
    expect(calls).toHaveLength(2);
  });

  it("never keeps a failure: the next call asks again", async () => {
    const { get, calls } = setup();
    const fail = () => {
      throw new Error("SOAP Fault");
    };
    await expect(get("a", fail)).rejects.toThrow("SOAP Fault");
    expect(await get("a")).toBe("answer of a");
    expect(calls).toEqual(["a", "a"]);
  });

  it("off (TTL 0): every call reaches the upstream", async () => {
    const { cache, get, calls } = setup({ ttlMs: 0, emptyTtlMs: 0 });
    expect(cache.enabled).toBe(false);
    for (let i = 0; i < 3; i++) await get("a");
    expect(calls).toEqual(["a", "a", "a"]);
    expect(cache.size).toBe(0);
  });

  it("holds at most maxEntries, dropping the least recently used", async () => {
    const { cache, get, calls } = setup({ maxEntries: 2 });
    await get("a");
    await get("b");
    await get("a"); // a is now the most recently used
    await get("c"); // evicts b
    expect(cache.size).toBe(2);
    await get("a");
    await get("c");
    expect(calls).toEqual(["a", "b", "c"]);
    await get("b");
    expect(calls).toEqual(["a", "b", "c", "b"]);
  });

  it("purges every answer about a subject, and only those", async () => {
    const { cache, get, calls } = setup();
    await get("199012345678");
    await get("197712240099");
    expect(cache.purge("199012345678")).toBe(1);
    await get("199012345678");
    await get("197712240099");
    expect(calls).toEqual(["199012345678", "197712240099", "199012345678"]);
  });

  it("does not keep an answer whose call was in flight when its subject was purged, nor let new callers join it", async () => {
    const { cache } = setup();
    const stale = deferred<string>();
    let calls = 0;
    const call = (load: () => Promise<string>) => cache.get({ key: "k", subject: "nic", load: () => (calls++, load()) });
    const before = call(() => stale.promise);
    cache.purge("nic");
    const after = call(async () => "fresh");
    stale.resolve("stale");
    expect(await before).toBe("stale");
    expect(await after).toBe("fresh");
    expect(await call(async () => "third")).toBe("fresh");
    expect(calls).toBe(2);
  });

  it("drops everything on purgeAll, and keeps a call then in flight from being stored", async () => {
    const { cache, get, calls } = setup();
    await get("a");
    await get("b");
    const late = deferred<string>();
    const inFlight = cache.get({ key: "c", load: () => late.promise });
    cache.purgeAll();
    late.resolve("old");
    await inFlight;
    expect(cache.size).toBe(0);
    await get("a");
    expect(calls).toEqual(["a", "b", "a"]);
  });

  it("serves and stores nothing while it is not usable (the purge feed is behind)", async () => {
    let usable = true;
    const { get, calls } = setup({ usable: () => usable });
    await get("a");
    usable = false;
    await get("a");
    await get("b");
    usable = true;
    await get("a");
    await get("b");
    expect(calls).toEqual(["a", "a", "b", "b"]);
  });

  it("counts hits, misses, joins and evictions on the adapter's metrics", async () => {
    const metrics = createServiceMetrics("test");
    const { cache, get, advance } = setup({ metrics, maxEntries: 1 });
    await get("a");
    await get("a");
    await Promise.all([get("b"), get("b")]);
    advance(2000);
    await get("b");
    cache.purge("b");
    const text = await metrics.registry.metrics();
    // Each series also carries the service's label.
    const value = (series: string) => Number(new RegExp(`^${series.replace(/\\}$/, "")}[^}]*\\} (\\d+)`, "m").exec(text)?.[1]);
    expect(value(`ndx_legacy_cache_lookups_total\\{provider="test",result="hit"\\}`)).toBe(1);
    expect(value(`ndx_legacy_cache_lookups_total\\{provider="test",result="miss"\\}`)).toBe(3);
    expect(value(`ndx_legacy_cache_lookups_total\\{provider="test",result="joined"\\}`)).toBe(1);
    expect(value(`ndx_legacy_cache_evictions_total\\{provider="test",reason="capacity"\\}`)).toBe(1);
    expect(value(`ndx_legacy_cache_evictions_total\\{provider="test",reason="expired"\\}`)).toBe(1);
    expect(value(`ndx_legacy_cache_evictions_total\\{provider="test",reason="purged"\\}`)).toBe(1);
    expect(value(`ndx_legacy_cache_entries\\{provider="test"\\}`)).toBe(0);
  });
});

describe("identical calls in flight", () => {
  it("share one upstream call: N concurrent callers, one call, one answer", async () => {
    const { cache } = setup({ ttlMs: 0 });
    const load = deferred<string>();
    let calls = 0;
    const callers = Array.from({ length: 10 }, () => cache.get({ key: "k", load: () => (calls++, load.promise) }));
    load.resolve("v");
    expect(await Promise.all(callers)).toEqual(Array(10).fill("v"));
    expect(calls).toBe(1);
  });

  it("share a failure: it reaches every waiter, and the next call asks again", async () => {
    const { cache } = setup();
    const load = deferred<string>();
    let calls = 0;
    const callers = Array.from({ length: 5 }, () => cache.get({ key: "k", load: () => (calls++, load.promise) }));
    load.reject(new Error("down"));
    const settled = await Promise.allSettled(callers);
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill("rejected"));
    expect(await cache.get({ key: "k", load: async () => (calls++, "back") })).toBe("back");
    expect(calls).toBe(2);
  });

  it("go on for the others when one caller gives up", async () => {
    const { cache } = setup({ ttlMs: 0 });
    const load = deferred<string>();
    const impatient = new AbortController();
    let calls = 0;
    const first = cache.get({ key: "k", load: () => (calls++, load.promise), signal: impatient.signal });
    const second = cache.get({ key: "k", load: () => (calls++, load.promise) });
    impatient.abort(new Error("caller timed out"));
    await expect(first).rejects.toThrow("caller timed out");
    load.resolve("v");
    expect(await second).toBe("v");
    expect(calls).toBe(1);
  });

  it("are not merged when merging is off", async () => {
    const { cache } = setup({ ttlMs: 0, mergeInFlight: false });
    let calls = 0;
    await Promise.all([1, 2, 3].map(() => cache.get({ key: "k", load: async () => (calls++, "v") })));
    expect(calls).toBe(3);
  });
});
