/**
 * Per-request state: who is asking (as the gateway's verified caller assertion names them), and loaders that batch the lookups of one request
 * (persons by NIC, records by register and id, change-request transitions) into one query each.
 */
import DataLoader from "dataloader";
import type { ForwardedCaller } from "@ndx/platform";
import { changeRequestStore, type Transition } from "../changeRequests/changeRequestStore.ts";
import type { Person, PersonStore } from "../persons/personStore.ts";
import type { RecordView } from "../records/recordReader.ts";
import type { RegistryServices } from "./registryServices.ts";

export interface RegistryContext {
  readonly people: PersonStore;
  readonly personByNic: DataLoader<string, Person | null>;
  /** The caller the gateway's verified assertion names; undefined when it names none. */
  readonly caller: ForwardedCaller | undefined;
  readonly registry: RegistryServices;
  /** Key: `register` and record id joined by a NUL character. */
  readonly recordByKey: DataLoader<string, RecordView | null>;
  readonly transitionsOf: DataLoader<string, Transition[]>;
}

export const recordKey = (register: string, id: string): string => `${register}\u0000${id}`;

export function createContext(people: PersonStore, registry: RegistryServices, caller: ForwardedCaller | undefined): RegistryContext {
  return {
    people,
    personByNic: new DataLoader<string, Person | null>(async (nics) => {
      const found = new Map((await people.byNics(nics)).map((p) => [p.nic, p]));
      return nics.map((nic) => found.get(nic) ?? null);
    }),
    caller,
    registry,
    recordByKey: new DataLoader<string, RecordView | null>(async (keys) => {
      const byRegister = new Map<string, string[]>();
      for (const key of keys) {
        const [register = "", id = ""] = key.split("\u0000");
        byRegister.set(register, [...(byRegister.get(register) ?? []), id]);
      }
      const found = new Map<string, RecordView>();
      for (const [name, ids] of byRegister) {
        const register = registry.catalogue.get(name);
        if (register === undefined) continue;
        for (const r of await registry.records.byIds(register, ids)) found.set(recordKey(name, r.id), r);
      }
      return keys.map((k) => found.get(k) ?? null);
    }),
    transitionsOf: new DataLoader<string, Transition[]>(async (ids) => {
      const all = await changeRequestStore.transitionsOf(registry.db, ids);
      return ids.map((id) => all.filter((t) => t.changeRequestId === id));
    }),
  };
}
