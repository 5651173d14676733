/**
 * A citizen as the parts of NDX know them: the registry's birth record, the DRP's person record and the DMT's
 * vehicles, under one NIC. The registry and the legacy simulators seed these; the identity provider signs citizens in.
 */

export interface RegistryRecord {
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly birthPlace: string;
  readonly district: string;
  readonly sex: "female" | "male";
  readonly birthRegistrationNumber: string;
}

export interface DrpRecord {
  readonly fullName: string;
  readonly otherNames: readonly string[];
  readonly permanentAddress: string;
  readonly profession: string;
}

export interface DmtVehicle {
  readonly regNo: string;
  readonly make: string;
  readonly model: string;
  readonly year: number;
  readonly class: { readonly className: string; readonly classCode: string };
}

export interface Citizen {
  readonly nic: string;
  readonly registry: RegistryRecord;
  /** Null: the DRP holds no record of this citizen. */
  readonly drp: DrpRecord | null;
  readonly dmt: readonly DmtVehicle[];
}
