/**
 * Answers of one legacy system kept for a short while, and identical calls merged while in flight.
 *
 * - **Keyed by exactly the legacy call**: the adapter names the operation and every argument (`legacyKey`). The
 *   adapter calls with one credential of its own, so an answer does not depend on who asked; the consumer's access is
 *   decided by the gateway before any request reaches a resolver, per request, and the cache sits behind the
 *   resolvers: it never decides, it only saves the legacy system a call the gateway already permitted.
 * - **TTL**: an answer is served for at most `ttlMs` from the moment its call *started* (an answer cannot be older
 *   than that), an empty one (nobody known, no vehicles) for at most `emptyTtlMs`; failures are never kept.
 * - **Bounded**: at most `maxEntries`, the least recently used evicted first.
 * - **Purged** by subject (a citizen's NIC): `purge(subject)` drops that subject's answers and keeps a call in flight
 *   for it from being stored or joined (its answer may predate the change). While `usable()` says no (the feed of
 *   change events is behind, so a held answer could be stale), nothing is served from memory or stored.
 * - **Single-flight**: concurrent identical calls share one upstream call; its failure reaches every waiter; a waiter
 *   that gives up (its `signal`) leaves the call running for the others. Merging is on even with `ttlMs` 0 unless
 *   `mergeInFlight` is false.
 */
import { legacyCacheMetrics, type LegacyCacheMetrics } from "./legacyCacheMetrics.ts";
import type { ServiceMetrics } from "@ndx/platform";

export interface LegacyCacheOptions {
  readonly provider: string;
  /** How long an answer is served from memory, ms; 0: never stored. @default 0 */
  readonly ttlMs?: number;
  /** How long an empty answer is served, ms (never longer than `ttlMs`); 0: empty answers are not stored. @default 0 */
  readonly emptyTtlMs?: number;
  /** Most answers kept; the least recently used go first. @default 10000 */
  readonly maxEntries?: number;
  /** Identical calls in flight share one upstream call. @default true */
  readonly mergeInFlight?: boolean;
  /** Checked at every lookup: false while purges may be missing (the change feed is behind). @default always true */
  readonly usable?: () => boolean;
  /** A monotonic clock in ms (tests move it). @default performance.now */
  readonly now?: () => number;
  /** Hits, misses, joins, evictions and entries on the adapter's /metrics. @default none */
  readonly metrics?: ServiceMetrics | undefined;
}

export interface CachedCall<T> {
  /** The call's key: `legacyKey(operation, ...arguments)`. */
  readonly key: string;
  /** Whom the answer is about (a NIC), so that a change to them purges it; undefined: only the TTL ends it. */
  readonly subject?: string | undefined;
  /** The upstream call. */
  readonly load: () => Promise<T>;
  /** Whether an answer is empty (kept only `emptyTtlMs`). @default never */
  readonly isEmpty?: (value: T) => boolean;
  /** This caller stops waiting when it aborts; the call goes on for the others. */
  readonly signal?: AbortSignal | undefined;
}

export interface LegacyCache {
  readonly enabled: boolean;
  get<T>(call: CachedCall<T>): Promise<T>;
  /** Drops every answer about `subject`; returns how many. */
  purge(subject: string): number;
  /** Drops every answer, and keeps every call in flight from being stored or joined. */
  purgeAll(): void;
  readonly size: number;
}

/** The key of one legacy call: its operation and every argument, unambiguous whatever the arguments hold. */
export function legacyKey(operation: string, ...args: readonly string[]): string {
  return JSON.stringify([operation, ...args]);
}

interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
  readonly subject: string | undefined;
}

interface Flight {
  promise: Promise<unknown>;
  readonly subject: string | undefined;
  /** False once a purge of its subject came while it was in flight. */
  storable: boolean;
}

export function createLegacyCache(options: LegacyCacheOptions): LegacyCache {
  const { provider, ttlMs = 0, maxEntries = 10_000, mergeInFlight = true, now = () => performance.now(), usable = () => true } = options;
  const emptyTtlMs = Math.min(options.emptyTtlMs ?? 0, ttlMs);
  if (!(ttlMs >= 0 && emptyTtlMs >= 0 && Number.isInteger(maxEntries) && maxEntries >= 1)) throw new Error("legacy cache: bad options");
  const metrics: LegacyCacheMetrics | undefined = options.metrics === undefined ? undefined : legacyCacheMetrics(options.metrics);
  // A Map keeps insertion order: an entry read is moved to the end, so the first is the least recently used.
  const entries = new Map<string, Entry>();
  const bySubject = new Map<string, Set<string>>();
  const flights = new Map<string, Flight>();
  metrics?.watch(provider, () => entries.size);

  function remove(key: string): boolean {
    const entry = entries.get(key);
    if (entry === undefined) return false;
    entries.delete(key);
    if (entry.subject !== undefined) {
      const keys = bySubject.get(entry.subject);
      keys?.delete(key);
      if (keys?.size === 0) bySubject.delete(entry.subject);
    }
    return true;
  }

  function drop(key: string, reason: "expired" | "capacity" | "purged"): void {
    if (remove(key)) metrics?.evicted(provider, reason);
  }

  function store(key: string, subject: string | undefined, value: unknown, lifetime: number, startedAt: number): void {
    if (lifetime <= 0 || !usable()) return;
    remove(key);
    entries.set(key, { value, expiresAt: startedAt + lifetime, subject });
    if (subject !== undefined) {
      const keys = bySubject.get(subject) ?? new Set<string>();
      keys.add(key);
      bySubject.set(subject, keys);
    }
    while (entries.size > maxEntries) drop(entries.keys().next().value as string, "capacity");
  }

  function cached(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (now() >= entry.expiresAt) {
      drop(key, "expired");
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  }

  function fly<T>(call: CachedCall<T>): Promise<T> {
    const startedAt = now();
    const flight: Flight = { promise: Promise.resolve(), subject: call.subject, storable: ttlMs > 0 };
    const promise = call.load().then(
      (value) => {
        if (flights.get(call.key) === flight) flights.delete(call.key);
        if (flight.storable) store(call.key, call.subject, value, call.isEmpty?.(value) === true ? emptyTtlMs : ttlMs, startedAt);
        return value;
      },
      (error: unknown) => {
        if (flights.get(call.key) === flight) flights.delete(call.key);
        throw error;
      },
    );
    flight.promise = promise;
    if (mergeInFlight) flights.set(call.key, flight);
    return promise;
  }

  return {
    enabled: ttlMs > 0,
    get size() {
      return entries.size;
    },
    get<T>(call: CachedCall<T>): Promise<T> {
      const entry = ttlMs > 0 && usable() ? cached(call.key) : undefined;
      if (entry !== undefined) {
        metrics?.looked(provider, "hit");
        return Promise.resolve(entry.value as T);
      }
      const flight = flights.get(call.key);
      metrics?.looked(provider, flight === undefined ? "miss" : "joined");
      const shared = flight === undefined ? fly(call) : (flight.promise as Promise<T>);
      return call.signal === undefined ? shared : abandonable(shared, call.signal);
    },
    purge(subject) {
      for (const flight of flights.values()) if (flight.subject === subject) flight.storable = false;
      for (const [key, flight] of flights) if (flight.subject === subject) flights.delete(key);
      const keys = [...(bySubject.get(subject) ?? [])];
      for (const key of keys) drop(key, "purged");
      return keys.length;
    },
    purgeAll() {
      for (const flight of flights.values()) flight.storable = false;
      flights.clear();
      for (const key of [...entries.keys()]) drop(key, "purged");
    },
  };
}

/** `shared`, or the caller's abort if that comes first; `shared` itself goes on. */
function abandonable<T>(shared: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
