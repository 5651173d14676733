/** Per-request state: a loader that turns every DRP lookup of one request (one `_entities` call) into batch calls. */
import type { Mapper } from "@ndx/adapter-kit";
import DataLoader from "dataloader";
import type { DrpClient, DrpRecord } from "./drpClient.ts";

export interface DrpContext {
  readonly mapper: Mapper;
  readonly drpPerson: DataLoader<string, DrpRecord | null>;
}

export function createContext(client: DrpClient, mapper: Mapper, batchSize: number): DrpContext {
  return {
    mapper,
    drpPerson: new DataLoader<string, DrpRecord | null>(
      async (nics) => {
        const found = await client.lookup(nics);
        return nics.map((nic) => found.get(nic) ?? null);
      },
      { maxBatchSize: batchSize },
    ),
  };
}
