/**
 * Where a register's records live, as its metadata says: the generic `register_record` table (plain fields as JSON)
 * or a typed table of the register's own, one column per plain field (the person register's `person`). Either way
 * sensitive fields sit encrypted in a `sealed` JSON column and each record carries a version. Only the change-request
 * workflow writes through this; table and column names come from checked metadata, values are always parameters.
 */
import type { Queryable } from "@ndx/platform";
import type { Sealed } from "../keys/fieldCipher.ts";
import type { RegisterDefinition } from "../registers/registerMetadata.ts";

export interface StoredRecord {
  readonly id: string;
  readonly version: number;
  /** Fields that are not sensitive. */
  readonly plain: Record<string, unknown>;
  /** Sensitive fields, encrypted. */
  readonly sealed: Sealed;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RecordStorage {
  get(db: Queryable, id: string, options?: { forUpdate?: boolean }): Promise<StoredRecord | undefined>;
  getMany(db: Queryable, ids: readonly string[]): Promise<StoredRecord[]>;
  /** Records in id order after `afterId`. */
  list(db: Queryable, afterId: string | undefined, limit: number): Promise<StoredRecord[]>;
  count(db: Queryable): Promise<number>;
  /** False when a record with this id exists. */
  insert(db: Queryable, id: string, version: number, plain: Readonly<Record<string, unknown>>, sealed: Sealed): Promise<boolean>;
  /** Replaces the record if it is still at `baseVersion`, bumping the version; false otherwise. */
  update(db: Queryable, id: string, baseVersion: number, plain: Readonly<Record<string, unknown>>, sealed: Sealed): Promise<boolean>;
  /** Deletes the record if it is still at `baseVersion`; false otherwise. */
  remove(db: Queryable, id: string, baseVersion: number): Promise<boolean>;
  /** Records that have no history yet (loaded by the seed or before change requests existed), in id order. */
  unadopted(db: Queryable, limit: number): Promise<StoredRecord[]>;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const quote = (name: string) => `"${name}"`;

export function recordStorageFor(register: RegisterDefinition): RecordStorage {
  return register.storage.kind === "table" ? tableStorage(register) : documentStorage(register.name);
}

function documentStorage(register: string): RecordStorage {
  interface Row {
    id: string;
    version: number;
    fields: Record<string, unknown>;
    sealed: Sealed;
    created_at: string;
    updated_at: string;
  }
  const select = `SELECT id, version, fields, sealed, ${iso("created_at")} AS created_at, ${iso("updated_at")} AS updated_at
    FROM register_record r`;
  const toRecord = (r: Row): StoredRecord => ({
    id: r.id,
    version: r.version,
    plain: r.fields,
    sealed: r.sealed,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  return {
    async get(db, id, options = {}) {
      const rows = await db.query<Row>(`${select} WHERE register = $1 AND id = $2${options.forUpdate === true ? " FOR UPDATE" : ""}`, [register, id]);
      return rows.rows.map(toRecord)[0];
    },
    async getMany(db, ids) {
      return (await db.query<Row>(`${select} WHERE register = $1 AND id = ANY($2::text[])`, [register, ids])).rows.map(toRecord);
    },
    async list(db, afterId, limit) {
      const rows = await db.query<Row>(`${select} WHERE register = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`, [
        register,
        afterId ?? null,
        limit,
      ]);
      return rows.rows.map(toRecord);
    },
    async count(db) {
      return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM register_record WHERE register = $1", [register])).rows[0]?.n ?? 0;
    },
    async insert(db, id, version, plain, sealed) {
      const result = await db.query(
        `INSERT INTO register_record (register, id, version, fields, sealed) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
         ON CONFLICT DO NOTHING`,
        [register, id, version, JSON.stringify(plain), JSON.stringify(sealed)],
      );
      return result.rowCount === 1;
    },
    async update(db, id, baseVersion, plain, sealed) {
      const result = await db.query(
        `UPDATE register_record SET fields = $4::jsonb, sealed = $5::jsonb, version = version + 1, updated_at = now()
          WHERE register = $1 AND id = $2 AND version = $3`,
        [register, id, baseVersion, JSON.stringify(plain), JSON.stringify(sealed)],
      );
      return result.rowCount === 1;
    },
    async remove(db, id, baseVersion) {
      const result = await db.query("DELETE FROM register_record WHERE register = $1 AND id = $2 AND version = $3", [register, id, baseVersion]);
      return result.rowCount === 1;
    },
    async unadopted(db, limit) {
      const rows = await db.query<Row>(
        `${select} WHERE register = $1
           AND NOT EXISTS (SELECT 1 FROM record_history h WHERE h.register = $1 AND h.record_id = r.id)
         ORDER BY id LIMIT $2`,
        [register, limit],
      );
      return rows.rows.map(toRecord);
    },
  };
}

function tableStorage(register: RegisterDefinition): RecordStorage {
  if (register.storage.kind !== "table") throw new Error(`${register.name} is not stored in a table`);
  const { table, columns, keyColumn } = register.storage;
  const fields = Object.keys(columns);
  const t = quote(table);
  const key = quote(keyColumn);
  interface Row {
    row: Record<string, unknown>;
    created_at: string;
    updated_at: string;
  }
  // to_jsonb renders every column as JSON (dates as YYYY-MM-DD), whatever the table's column types are.
  const select = `SELECT to_jsonb(t) - 'created_at' - 'updated_at' AS row, ${iso("t.created_at")} AS created_at,
    ${iso("t.updated_at")} AS updated_at FROM ${t} t`;
  const toRecord = (r: Row): StoredRecord => {
    const plain: Record<string, unknown> = {};
    for (const field of fields) {
      const value = r.row[columns[field] ?? ""];
      if (value !== null && value !== undefined) plain[field] = value;
    }
    return {
      id: String(r.row[keyColumn]),
      version: Number(r.row["version"]),
      plain,
      sealed: (r.row["sealed"] ?? {}) as Sealed,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  };
  const values = (plain: Readonly<Record<string, unknown>>) => fields.map((f) => plain[f] ?? null);
  const columnList = fields.map((f) => quote(columns[f] ?? "")).join(", ");
  const placeholders = (from: number) => fields.map((_, i) => `$${from + i}`).join(", ");
  const assignments = (from: number) => fields.map((f, i) => `${quote(columns[f] ?? "")} = $${from + i}`).join(", ");

  return {
    async get(db, id, options = {}) {
      const rows = await db.query<Row>(`${select} WHERE t.${key} = $1${options.forUpdate === true ? " FOR UPDATE" : ""}`, [id]);
      return rows.rows.map(toRecord)[0];
    },
    async getMany(db, ids) {
      return (await db.query<Row>(`${select} WHERE t.${key} = ANY($1::text[])`, [ids])).rows.map(toRecord);
    },
    async list(db, afterId, limit) {
      const rows = await db.query<Row>(`${select} WHERE ($1::text IS NULL OR t.${key} > $1) ORDER BY t.${key} LIMIT $2`, [afterId ?? null, limit]);
      return rows.rows.map(toRecord);
    },
    async count(db) {
      return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]?.n ?? 0;
    },
    async insert(db, id, version, plain, sealed) {
      if (plain[register.keyField ?? ""] !== id) throw new Error("a record's key field must be its id");
      const result = await db.query(
        `INSERT INTO ${t} (${columnList}, version, sealed) VALUES (${placeholders(1)}, $${fields.length + 1}, $${fields.length + 2}::jsonb)
         ON CONFLICT DO NOTHING`,
        [...values(plain), version, JSON.stringify(sealed)],
      );
      return result.rowCount === 1;
    },
    async update(db, id, baseVersion, plain, sealed) {
      const result = await db.query(
        `UPDATE ${t} SET ${assignments(3)}, sealed = $${fields.length + 3}::jsonb, version = version + 1, updated_at = now()
          WHERE ${key} = $1 AND version = $2`,
        [id, baseVersion, ...values(plain), JSON.stringify(sealed)],
      );
      return result.rowCount === 1;
    },
    async remove(db, id, baseVersion) {
      const result = await db.query(`DELETE FROM ${t} WHERE ${key} = $1 AND version = $2`, [id, baseVersion]);
      return result.rowCount === 1;
    },
    async unadopted(db, limit) {
      const rows = await db.query<Row>(
        `${select} WHERE NOT EXISTS (SELECT 1 FROM record_history h WHERE h.register = $1 AND h.record_id = t.${key})
         ORDER BY t.${key} LIMIT $2`,
        [register.name, limit],
      );
      return rows.rows.map(toRecord);
    },
  };
}
