/** The DRP's person records, in the legacy system's own JSON shape (not NDX's), seeded from the Farajaland citizens. */
import type { Citizen } from "@ndx/contracts";

export interface DrpPersonRecord {
  readonly nic: string;
  readonly person: {
    readonly fullName: string;
    readonly otherNames: readonly string[];
    readonly profession: string;
  };
  readonly address: { readonly permanent: string };
  readonly recordStatus: "ACTIVE";
}

export type DrpStore = ReadonlyMap<string, DrpPersonRecord>;

/** Citizens with a DRP record; those with `drp: null` (Ruth Nomsa Lungu) are unknown to the DRP. */
export function createDrpStore(citizens: readonly Citizen[]): DrpStore {
  const store = new Map<string, DrpPersonRecord>();
  for (const c of citizens) {
    if (c.drp === null || store.has(c.nic)) continue;
    store.set(c.nic, {
      nic: c.nic,
      person: { fullName: c.drp.fullName, otherNames: c.drp.otherNames, profession: c.drp.profession },
      address: { permanent: c.drp.permanentAddress },
      recordStatus: "ACTIVE",
    });
  }
  return store;
}
