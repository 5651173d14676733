/**
 * Seeds the register with the canonical Farajaland citizens exactly as written, plus deterministic generated ones.
 * Idempotent: a record that exists (by NIC or registration number) is left as it is, so restarts and later
 * approved changes are never overwritten.
 */
import type { Citizen } from "@ndx/contracts";
import { districts as knownDistricts } from "@ndx/fixtures";
import type { Db } from "@ndx/platform";

export interface SeedResult {
  readonly inserted: number;
  readonly total: number;
}

export async function seedRegistry(db: Db, citizens: readonly Citizen[]): Promise<SeedResult> {
  const districts = [...new Set([...knownDistricts, ...citizens.map((c) => c.registry.district)])];
  return db.transaction(async (tx) => {
    await tx.query("INSERT INTO district (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", [districts]);
    const column = <T>(f: (c: Citizen) => T) => citizens.map(f);
    const inserted = await tx.query(
      `INSERT INTO person (nic, full_name, birth_registration_number, date_of_birth, birth_place, district, sex)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT DO NOTHING`,
      [
        column((c) => c.nic),
        column((c) => c.registry.fullName),
        column((c) => c.registry.birthRegistrationNumber),
        column((c) => c.registry.dateOfBirth),
        column((c) => c.registry.birthPlace),
        column((c) => c.registry.district),
        column((c) => c.registry.sex),
      ],
    );
    const total = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM person");
    return { inserted: inserted.rowCount, total: total.rows[0]?.n ?? 0 };
  });
}
