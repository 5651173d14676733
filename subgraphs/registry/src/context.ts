/** Per-request state: a loader that batches every person lookup of one request into one query. */
import DataLoader from "dataloader";
import type { Person, PersonStore } from "./personStore.ts";

export interface RegistryContext {
  readonly people: PersonStore;
  readonly personByNic: DataLoader<string, Person | null>;
}

export function createContext(people: PersonStore): RegistryContext {
  return {
    people,
    personByNic: new DataLoader<string, Person | null>(async (nics) => {
      const found = new Map((await people.byNics(nics)).map((p) => [p.nic, p]));
      return nics.map((nic) => found.get(nic) ?? null);
    }),
  };
}
