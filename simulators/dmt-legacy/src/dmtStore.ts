/** The DMT's vehicle register, seeded from the Farajaland citizens: vehicles by owner NIC and by registration number. */
import type { Citizen, DmtVehicle } from "@ndx/contracts";

export interface DmtStore {
  byOwner(nic: string): readonly DmtVehicle[];
  byRegNo(regNo: string): DmtVehicle | undefined;
  readonly size: number;
}

export function createDmtStore(citizens: readonly Citizen[]): DmtStore {
  const owners = new Map<string, readonly DmtVehicle[]>();
  const plates = new Map<string, DmtVehicle>();
  for (const c of citizens) {
    if (owners.has(c.nic)) continue;
    owners.set(c.nic, c.dmt);
    for (const v of c.dmt) if (!plates.has(v.regNo)) plates.set(v.regNo, v);
  }
  return {
    byOwner: (nic) => owners.get(nic) ?? [],
    byRegNo: (regNo) => plates.get(regNo),
    size: plates.size,
  };
}
