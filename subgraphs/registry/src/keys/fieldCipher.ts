/**
 * Encryption of sensitive fields: each value (as JSON) with AES-256-GCM under its register's data key, a random
 * 12-byte IV and a 16-byte tag. The envelope `v1.<data key id>.<iv>.<ciphertext>.<tag>` (base64url parts) names its
 * key, and the register, record and field are bound to it as additional data, so a ciphertext copied onto another
 * record or field does not decrypt. The JSON is padded with spaces (valid JSON whitespace) to a multiple of 32 bytes,
 * so ciphertext lengths do not tell short values apart ("mild" and "profound" look the same).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { DataKeyRing } from "./dataKeys.ts";

export type Sealed = Readonly<Record<string, string>>;

export interface FieldCipher {
  /** Splits a record into its plain fields and its sensitive fields, encrypted. */
  seal(register: string, recordId: string, sensitive: readonly string[], record: Readonly<Record<string, unknown>>): {
    plain: Record<string, unknown>;
    sealed: Record<string, string>;
  };
  /** The record again: plain fields and decrypted sensitive ones. */
  open(register: string, recordId: string, plain: Readonly<Record<string, unknown>>, sealed: Sealed): Record<string, unknown>;
}

const paddingBlock = 32;

function padded(value: unknown): Buffer {
  const text = Buffer.from(JSON.stringify(value), "utf8");
  const size = Math.max(paddingBlock, Math.ceil(text.length / paddingBlock) * paddingBlock);
  return Buffer.concat([text, Buffer.alloc(size - text.length, " ")]);
}

const aad = (register: string, recordId: string, field: string) => Buffer.from(`${register}\u0000${recordId}\u0000${field}`, "utf8");

export function createFieldCipher(keys: DataKeyRing): FieldCipher {
  const encrypt = (register: string, recordId: string, field: string, value: unknown): string => {
    const key = keys.forRegister(register);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.dataKey, iv);
    cipher.setAAD(aad(register, recordId, field));
    const body = Buffer.concat([cipher.update(padded(value)), cipher.final()]);
    return `v1.${key.id}.${iv.toString("base64url")}.${body.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
  };

  const decrypt = (register: string, recordId: string, field: string, envelope: string): unknown => {
    const [version, keyId, iv, body, tag] = envelope.split(".");
    const key = keyId === undefined ? undefined : keys.byId(keyId);
    if (version !== "v1" || key === undefined || iv === undefined || body === undefined || tag === undefined) {
      throw new Error(`sensitive field ${field} of ${register}/${recordId} has an unreadable envelope`);
    }
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(aad(register, recordId, field));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const text = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    return JSON.parse(text) as unknown;
  };

  return {
    seal(register, recordId, sensitive, record) {
      const plain: Record<string, unknown> = {};
      const sealed: Record<string, string> = {};
      for (const [field, value] of Object.entries(record)) {
        if (value === undefined) continue;
        // A null (in an update: "remove this field") reveals nothing and stays plain.
        if (sensitive.includes(field) && value !== null) sealed[field] = encrypt(register, recordId, field, value);
        else plain[field] = value;
      }
      return { plain, sealed };
    },
    open(register, recordId, plain, sealed) {
      const out: Record<string, unknown> = { ...plain };
      for (const [field, envelope] of Object.entries(sealed)) out[field] = decrypt(register, recordId, field, envelope);
      return out;
    },
  };
}
