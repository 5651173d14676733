/**
 * Per-request state. The DMT has no batch operation, so the loaders collect one request's lookups (one `_entities`
 * call for N people) and run them in parallel, at most `concurrency` at a time — never N calls one after another.
 */
import { mapSettled, type Mapper } from "@ndx/adapter-kit";
import DataLoader from "dataloader";
import type { DmtClient, VehicleRecord } from "./dmtClient.ts";

export interface DmtContext {
  readonly mapper: Mapper;
  readonly vehiclesByOwner: DataLoader<string, VehicleRecord[]>;
  readonly vehicleByRegNo: DataLoader<string, VehicleRecord>;
}

export function createContext(client: DmtClient, mapper: Mapper, concurrency: number): DmtContext {
  const parallel = <R>(fn: (key: string) => Promise<R>) => async (keys: readonly string[]) =>
    (await mapSettled(keys, concurrency, fn)).map((r) => (r.status === "fulfilled" ? r.value : toError(r.reason)));
  return {
    mapper,
    vehiclesByOwner: new DataLoader(parallel((nic) => client.vehiclesByOwner(nic))),
    vehicleByRegNo: new DataLoader(parallel((regNo) => client.vehicleByRegNo(regNo))),
  };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
