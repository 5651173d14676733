/**
 * Per-request state: a loader that turns every DRP lookup of one request (one `_entities` call) into batch calls.
 * Each person's answer goes through the cache first (kept answers, identical lookups in flight merged, purged when
 * the registry changes the person): only the NICs neither kept nor in flight go to the DRP, in one batch lookup.
 * "Not known to the DRP" is an empty answer; a failed batch fails only the NICs it was asked for.
 */
import { legacyKey, type LegacyCache, type Mapper } from "@ndx/adapter-kit";
import DataLoader from "dataloader";
import type { DrpClient, DrpRecord } from "./drpClient.ts";

export interface DrpContext {
  readonly mapper: Mapper;
  readonly drpPerson: DataLoader<string, DrpRecord | null>;
}

export function createContext(client: DrpClient, cache: LegacyCache, mapper: Mapper, batchSize: number): DrpContext {
  return {
    mapper,
    drpPerson: new DataLoader<string, DrpRecord | null>(
      async (nics) => {
        const missing: string[] = [];
        let batch: Promise<ReadonlyMap<string, DrpRecord>> | undefined;
        // cache.get calls `load` at once for a NIC it must ask for; the lookup starts a microtask later, with all of them.
        const lookup = () => (batch ??= Promise.resolve().then(() => client.lookup(missing)));
        const answers = await Promise.allSettled(
          nics.map((nic) =>
            cache.get({
              key: legacyKey("person", nic),
              subject: nic,
              isEmpty: (record) => record === null,
              load: async () => {
                missing.push(nic);
                return (await lookup()).get(nic) ?? null;
              },
            }),
          ),
        );
        return answers.map((a) => (a.status === "fulfilled" ? a.value : a.reason instanceof Error ? a.reason : new Error(String(a.reason))));
      },
      { maxBatchSize: batchSize },
    ),
  };
}
