/**
 * Seeds a register with development records exactly as given (e.g. the households of the demo data): each inserted
 * at version 1 with its sensitive fields sealed, unless a record with its id exists (restarts and later approved
 * changes are never overwritten). Adoption (recordAdoption.ts) then gives each its IMPORT history row. A record that
 * does not satisfy the register's JSON Schema stops the seeding with the violations named.
 */
import type { Db } from "@ndx/platform";
import type { FieldCipher } from "../keys/fieldCipher.ts";
import type { RegisterCatalogue } from "../registers/registerMetadata.ts";
import { recordStorageFor } from "./recordStorage.ts";
import { violationsOf } from "./recordValidation.ts";

export interface RecordSeed {
  readonly register: string;
  /** Whole records, as a create would give them. */
  readonly records: readonly object[];
}

export async function seedRecords(db: Db, catalogue: RegisterCatalogue, cipher: FieldCipher, seeds: readonly RecordSeed[]): Promise<number> {
  let inserted = 0;
  for (const seed of seeds) {
    const register = catalogue.get(seed.register);
    if (register === undefined) throw new Error(`cannot seed unknown register ${seed.register}`);
    if (register.keyField === undefined) throw new Error(`cannot seed ${seed.register}: its records have no key field`);
    const key = register.keyField;
    const storage = recordStorageFor(register);
    await db.transaction(async (tx) => {
      for (const given of seed.records) {
        const record = given as Readonly<Record<string, unknown>>;
        const id = String(record[key]);
        const violations = violationsOf(register, record);
        if (violations.length > 0) throw new Error(`seed record ${id} of ${seed.register} is invalid: ${violations.map((v) => `${v.field} ${v.problem}`).join("; ")}`);
        const { plain, sealed } = cipher.seal(register.name, id, register.sensitiveFields, record);
        if (await storage.insert(tx, id, 1, plain, sealed)) inserted += 1;
      }
    });
  }
  return inserted;
}
