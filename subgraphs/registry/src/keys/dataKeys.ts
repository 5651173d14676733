/**
 * The data keys: one random AES-256 key per register, stored in `data_key` only wrapped by the KEK. At start-up the
 * registry creates the keys of new registers and unwraps them all once; afterwards encryption, decryption and the
 * duplicate-index digests use the keys held in memory and never call the KEK provider.
 */
import { createSecretKey, hkdfSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import type { Db } from "@ndx/platform";
import { KeyEncryptionKeyError, type KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";

export interface RegisterKey {
  readonly id: string;
  /** Encrypts the register's sensitive fields. */
  readonly dataKey: Buffer;
  /** Keys the digests of the duplicate index (derived from the data key, so it rotates with nothing). */
  readonly indexKey: KeyObject;
}

export interface DataKeyRing {
  /** The key of a register, which `openDataKeyRing` created if needed. */
  forRegister(register: string): RegisterKey;
  /** A data key by id (from a ciphertext envelope). */
  byId(id: string): Buffer | undefined;
}

interface DataKeyRow {
  id: string;
  register: string;
  kek_id: string;
  wrapped: string;
}

// A KeyObject, not bytes: HMACs under it are computed without importing the key each time.
const deriveIndexKey = (dataKey: Buffer): KeyObject =>
  createSecretKey(Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "ndx-registry/match-index/v1", 32)));

export async function openDataKeyRing(db: Db, kek: KeyEncryptionKeyProvider, registers: readonly string[]): Promise<DataKeyRing> {
  const rows = await db.transaction(async (tx) => {
    // Two instances starting together must not both create a key for the same register.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('ndx:registry:data-keys'))");
    const existing = await tx.query<DataKeyRow>("SELECT id, register, kek_id, wrapped FROM data_key");
    const have = new Set(existing.rows.map((r) => r.register));
    const created: DataKeyRow[] = [];
    for (const register of registers) {
      if (have.has(register)) continue;
      const id = randomUUID();
      const wrapped = await kek.wrap(randomBytes(32), id);
      await tx.query("INSERT INTO data_key (id, register, kek_id, wrapped) VALUES ($1, $2, $3, $4)", [id, register, kek.id, wrapped]);
      created.push({ id, register, kek_id: kek.id, wrapped });
    }
    return [...existing.rows, ...created];
  });

  const strangers = rows.filter((r) => r.kek_id !== kek.id);
  if (strangers.length > 0) {
    throw new KeyEncryptionKeyError(
      `${strangers.length} data key(s) are wrapped under KEK ${strangers[0]?.kek_id}, not under the configured ${kek.id}: ` +
        "set REGISTRY_KEK to the key they were wrapped with (after a rotation, the new one)",
    );
  }
  const byId = new Map<string, Buffer>();
  const byRegister = new Map<string, RegisterKey>();
  for (const row of rows) {
    const dataKey = await kek.unwrap(row.wrapped, row.id);
    byId.set(row.id, dataKey);
    byRegister.set(row.register, { id: row.id, dataKey, indexKey: deriveIndexKey(dataKey) });
  }
  return {
    forRegister(register) {
      const key = byRegister.get(register);
      if (key === undefined) throw new Error(`no data key for register ${register}`);
      return key;
    },
    byId: (id) => byId.get(id),
  };
}
