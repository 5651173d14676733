/** Reads of the person register. Parameterised SQL only. */
import type { Db, Queryable } from "@ndx/platform";

export interface Person {
  readonly nic: string;
  readonly fullName: string;
  readonly birthRegistrationNumber: string;
  readonly dateOfBirth: string;
  readonly birthPlace: string;
  readonly district: string;
  readonly sex: string;
}

export interface PeopleQuery {
  readonly district?: string | undefined;
  readonly bornFrom?: string | undefined;
  readonly bornTo?: string | undefined;
  /** Exclusive lower bound on NIC (keyset pagination). */
  readonly afterNic?: string | undefined;
  readonly limit: number;
}

const columns = `nic, full_name AS "fullName", birth_registration_number AS "birthRegistrationNumber",
  to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", birth_place AS "birthPlace", district, sex`;

const filter = `($1::text IS NULL OR district = $1)
  AND ($2::date IS NULL OR date_of_birth >= $2::date)
  AND ($3::date IS NULL OR date_of_birth <= $3::date)`;

const byNicsSql = `SELECT ${columns} FROM person WHERE nic = ANY($1::text[])`;

/**
 * On the database itself (not inside a transaction) the lookup by NIC — every query for a person — is a prepared
 * statement: bound and executed, not parsed and planned again (a third of PGlite's CPU per lookup).
 */
export function createPersonStore(db: Queryable & Partial<Pick<Db, "selectPrepared">>) {
  return {
    async byNics(nics: readonly string[]): Promise<Person[]> {
      const result =
        db.selectPrepared === undefined ? await db.query<Person>(byNicsSql, [nics]) : await db.selectPrepared<Person>("person_by_nics", byNicsSql, [nics]);
      return result.rows;
    },

    async list(q: PeopleQuery): Promise<Person[]> {
      const result = await db.query<Person>(
        `SELECT ${columns} FROM person WHERE ${filter} AND ($4::text IS NULL OR nic > $4) ORDER BY nic LIMIT $5`,
        [q.district ?? null, q.bornFrom ?? null, q.bornTo ?? null, q.afterNic ?? null, q.limit],
      );
      return result.rows;
    },

    async count(q: Omit<PeopleQuery, "afterNic" | "limit">): Promise<number> {
      const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM person WHERE ${filter}`, [
        q.district ?? null,
        q.bornFrom ?? null,
        q.bornTo ?? null,
      ]);
      return result.rows[0]?.n ?? 0;
    },

    async districts(): Promise<string[]> {
      const result = await db.query<{ name: string }>("SELECT name FROM district ORDER BY name");
      return result.rows.map((r) => r.name);
    },
  };
}

export type PersonStore = ReturnType<typeof createPersonStore>;
