/**
 * The legacy cache's instruments, on the adapter's registry (GET /metrics):
 *
 * - `ndx_legacy_cache_lookups_total{provider,result}`: `hit` (answered from memory), `joined` (shared a call already
 *   in flight) or `miss` (a call to the legacy system);
 * - `ndx_legacy_cache_evictions_total{provider,reason}`: `expired`, `capacity` (least recently used) or `purged`
 *   (a change event for its subject, or the cache suspended);
 * - `ndx_legacy_cache_entries{provider}`: answers held now.
 */
import { Counter, Gauge, type ServiceMetrics } from "@ndx/platform";

export type CacheLookup = "hit" | "miss" | "joined";
export type CacheEviction = "expired" | "capacity" | "purged";

export interface LegacyCacheMetrics {
  watch(provider: string, size: () => number): void;
  looked(provider: string, result: CacheLookup): void;
  evicted(provider: string, reason: CacheEviction): void;
}

// One set of instruments per registry: a metric name registers once.
const instruments = new WeakMap<ServiceMetrics, LegacyCacheMetrics>();

export function legacyCacheMetrics(service: ServiceMetrics): LegacyCacheMetrics {
  const existing = instruments.get(service);
  if (existing !== undefined) return existing;
  const registers = [service.registry];
  const sizes = new Map<string, () => number>();
  new Gauge({
    name: "ndx_legacy_cache_entries",
    help: "Legacy answers held in the adapter's cache, by provider",
    labelNames: ["provider"] as const,
    registers,
    collect() {
      for (const [provider, size] of sizes) this.set({ provider }, size());
    },
  });
  const lookups = new Counter({
    name: "ndx_legacy_cache_lookups_total",
    help: "Legacy calls asked of the adapter's cache, by provider and result (hit, joined: shared a call in flight, miss)",
    labelNames: ["provider", "result"] as const,
    registers,
  });
  const evictions = new Counter({
    name: "ndx_legacy_cache_evictions_total",
    help: "Legacy answers dropped from the adapter's cache, by provider and reason (expired, capacity, purged)",
    labelNames: ["provider", "reason"] as const,
    registers,
  });
  const metrics: LegacyCacheMetrics = {
    watch(provider, size) {
      sizes.set(provider, size);
      for (const result of ["hit", "miss", "joined"] as const) lookups.inc({ provider, result }, 0);
      for (const reason of ["expired", "capacity", "purged"] as const) evictions.inc({ provider, reason }, 0);
    },
    looked: (provider, result) => lookups.inc({ provider, result }),
    evicted: (provider, reason) => evictions.inc({ provider, reason }),
  };
  instruments.set(service, metrics);
  return metrics;
}
