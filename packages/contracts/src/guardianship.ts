/**
 * The registry's answer to `GET /v1/guardianship/{nic}` (the consent engine asks it who may answer for a citizen):
 * the person's name and date of birth, the guardians the households register names for them, and their wards.
 */

/** A guardian the households register names for the person, with the household that names them. */
export interface GuardianLink {
  readonly nic: string;
  readonly householdNumber: string;
}

/** A member who names the person as guardian (minor or not: the consent engine decides minority on the day). */
export interface WardLink {
  readonly nic: string;
  readonly fullName: string | null;
  readonly dateOfBirth: string | null;
  readonly householdNumber: string;
}

/** What the registry says of one person. */
export interface Guardianship {
  readonly nic: string;
  readonly fullName: string | null;
  /** YYYY-MM-DD; null when the person register has no record. */
  readonly dateOfBirth: string | null;
  /** Who the households register names as this person's guardians. */
  readonly guardians: readonly GuardianLink[];
  /** Whom it names this person guardian of. */
  readonly wards: readonly WardLink[];
}
