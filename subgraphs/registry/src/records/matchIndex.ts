/**
 * The duplicate index: for each record, a keyed digest (HMAC-SHA256 under the register's index key) of each
 * identifier and of each duplicate rule's normalised fields. A new record whose digests meet an existing record's is
 * a possible duplicate. Digests, not values: the table reveals nothing, sensitive fields included.
 */
import { createHmac } from "node:crypto";
import type { Queryable } from "@ndx/platform";
import type { DataKeyRing } from "../keys/dataKeys.ts";
import type { RegisterDefinition } from "../registers/registerMetadata.ts";

export interface MatchKey {
  /** `id:<field>` for an identifier, `rule:<fields,...>` for a duplicate rule. */
  readonly rule: string;
  readonly digest: string;
}

export interface DuplicateCandidate {
  readonly recordId: string;
  readonly reasons: readonly string[];
}

/** Case, accents, punctuation, spacing and word order do not matter: "TEMBO, Samuel  Bwalya" ~ "Samuel Bwalya Tembo". */
export function normalise(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value) ?? "";
  return value
    .normalize("NFKD")
    .replaceAll(/\p{M}/gu, "")
    .toLowerCase()
    .replaceAll(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .split(" ")
    .filter(Boolean)
    .sort()
    .join(" ");
}

const present = (v: unknown) => v !== undefined && v !== null && v !== "";

export function createMatchIndex(keys: DataKeyRing) {
  const digest = (register: RegisterDefinition, rule: string, value: string) =>
    createHmac("sha256", keys.forRegister(register.name).indexKey).update(`${rule}\u0000${value}`).digest("base64url");

  const keysOf = (register: RegisterDefinition, record: Readonly<Record<string, unknown>>): MatchKey[] => {
    const out: MatchKey[] = [];
    for (const field of register.identifierFields) {
      // Identifiers are compared exactly, not normalised.
      if (present(record[field])) out.push({ rule: `id:${field}`, digest: digest(register, `id:${field}`, String(record[field])) });
    }
    for (const fields of register.duplicateRules) {
      if (!fields.every((f) => present(record[f]))) continue;
      const rule = `rule:${fields.join(",")}`;
      out.push({ rule, digest: digest(register, rule, fields.map((f) => normalise(record[f])).join("\u0001")) });
    }
    return out;
  };

  const lookup = async (db: Queryable, register: RegisterDefinition, keys: readonly MatchKey[], except: string | undefined) => {
    if (keys.length === 0) return [];
    const found = await db.query<{ record_id: string; rule: string }>(
      `SELECT m.record_id, m.rule FROM record_match m
         JOIN unnest($2::text[], $3::text[]) AS q(rule, digest) ON m.rule = q.rule AND m.digest = q.digest
        WHERE m.register = $1 AND ($4::text IS NULL OR m.record_id <> $4)
        ORDER BY m.record_id, m.rule`,
      [register.name, keys.map((k) => k.rule), keys.map((k) => k.digest), except ?? null],
    );
    return found.rows.map((r) => ({ recordId: r.record_id, rule: r.rule }));
  };

  const reasonOf = (rule: string): string => {
    if (rule.startsWith("id:")) return `same ${rule.slice(3)}`;
    const fields = rule.slice(5).split(",");
    const list = fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
    return `same ${list} (normalised)`;
  };

  /** Adds digests for many records at once. */
  const insert = async (db: Queryable, register: RegisterDefinition, entries: readonly { recordId: string; keys: readonly MatchKey[] }[]) => {
    const rows = entries.flatMap((e) => e.keys.map((k) => ({ id: e.recordId, rule: k.rule, digest: k.digest })));
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO record_match (register, record_id, rule, digest)
       SELECT $1, r.id, r.rule, r.digest FROM jsonb_to_recordset($2::jsonb) AS r(id text, rule text, digest text)
       ON CONFLICT (register, record_id, rule) DO UPDATE SET digest = EXCLUDED.digest`,
      [register.name, JSON.stringify(rows)],
    );
  };

  return {
    keysOf,

    /** Records of the register whose digests meet the record's, with why; `except` excludes the record itself. */
    async candidates(
      db: Queryable,
      register: RegisterDefinition,
      record: Readonly<Record<string, unknown>>,
      except?: string,
    ): Promise<DuplicateCandidate[]> {
      const found = await lookup(db, register, keysOf(register, record), except);
      const byRecord = new Map<string, string[]>();
      for (const row of found) byRecord.set(row.recordId, [...(byRecord.get(row.recordId) ?? []), reasonOf(row.rule)]);
      return [...byRecord].map(([recordId, reasons]) => ({ recordId, reasons }));
    },

    /** Other records that already hold one of the record's identifiers: [{recordId, field}]. */
    async identifierClashes(
      db: Queryable,
      register: RegisterDefinition,
      record: Readonly<Record<string, unknown>>,
      except: string,
    ): Promise<{ recordId: string; field: string }[]> {
      const identifiers = keysOf(register, record).filter((k) => k.rule.startsWith("id:"));
      return (await lookup(db, register, identifiers, except)).map((r) => ({ recordId: r.recordId, field: r.rule.slice(3) }));
    },

    /** Replaces a record's digests (none when `record` is null: the record was deleted). */
    async replace(db: Queryable, register: RegisterDefinition, recordId: string, record: Readonly<Record<string, unknown>> | null) {
      await db.query("DELETE FROM record_match WHERE register = $1 AND record_id = $2", [register.name, recordId]);
      if (record === null) return;
      await insert(db, register, [{ recordId, keys: keysOf(register, record) }]);
    },

    insert,
  };
}

export type MatchIndex = ReturnType<typeof createMatchIndex>;
