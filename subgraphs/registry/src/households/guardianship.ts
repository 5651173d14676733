/**
 * Who answers for whom, from the households register: a household member may name guardians (`guardianNics`), who
 * must be members of the same household. For a person (NIC) this says their date of birth and name (person
 * register), their guardians (with the household that names them) and their wards — the members who name them as
 * guardian, with their names and dates of birth. Minority is not decided here: the consent engine decides it on the
 * day of each decision from the date of birth and its age of majority, so guardianship ends by itself.
 */
import type { GuardianLink as Guardian, Guardianship } from "@ndx/contracts";
import type { Queryable } from "@ndx/platform";
import { createPersonStore } from "../persons/personStore.ts";

interface Member {
  readonly nic: string;
  readonly guardianNics?: readonly string[];
}

/** Households whose members contain `pattern` (a JSON containment on the plain, unsealed `members`). */
async function householdsWith(db: Queryable, pattern: unknown): Promise<{ id: string; members: Member[] }[]> {
  const result = await db.query<{ id: string; members: Member[] | null }>(
    "SELECT id, fields->'members' AS members FROM register_record WHERE register = 'households' AND fields->'members' @> $1::jsonb ORDER BY id",
    [JSON.stringify([pattern])],
  );
  return result.rows.map((r) => ({ id: r.id, members: r.members ?? [] }));
}

/** A guardian counts only when the household that names them counts them among its members. */
const namedGuardians = (members: readonly Member[], member: Member): string[] =>
  (member.guardianNics ?? []).filter((g) => g !== member.nic && members.some((m) => m.nic === g));

export async function guardianshipOf(db: Queryable, nic: string): Promise<Guardianship> {
  const people = createPersonStore(db);
  const guardians: Guardian[] = [];
  for (const h of await householdsWith(db, { nic })) {
    for (const m of h.members.filter((m) => m.nic === nic)) {
      for (const g of namedGuardians(h.members, m)) guardians.push({ nic: g, householdNumber: h.id });
    }
  }
  const wardsOf: { nic: string; householdNumber: string }[] = [];
  for (const h of await householdsWith(db, { guardianNics: [nic] })) {
    for (const m of h.members) if (namedGuardians(h.members, m).includes(nic)) wardsOf.push({ nic: m.nic, householdNumber: h.id });
  }
  const persons = new Map((await people.byNics([nic, ...wardsOf.map((w) => w.nic)])).map((p) => [p.nic, p]));
  const self = persons.get(nic);
  return {
    nic,
    fullName: self?.fullName ?? null,
    dateOfBirth: self?.dateOfBirth ?? null,
    guardians,
    wards: wardsOf.map((w) => ({ ...w, fullName: persons.get(w.nic)?.fullName ?? null, dateOfBirth: persons.get(w.nic)?.dateOfBirth ?? null })),
  };
}
