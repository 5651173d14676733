/**
 * The key-encryption key (KEK) wraps the registry's data keys; it never enters the database. Behind this interface a
 * production deployment puts its KMS (wrap = KMS Encrypt, unwrap = KMS Decrypt, `id` = the KMS key's ARN or
 * version). It is called only when the registry starts (to unwrap the data keys it then keeps in memory), when it
 * creates a data key for a new register, and by the rotation command — never per request.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface KeyEncryptionKeyProvider {
  /** Names this KEK; stored beside every data key it wraps, so a key wrapped under another KEK is recognised. */
  readonly id: string;
  /** Wraps a data key. `context` (the data key's id) is bound to the result: it must be the same to unwrap. */
  wrap(dataKey: Uint8Array, context: string): Promise<string>;
  unwrap(wrapped: string, context: string): Promise<Buffer>;
}

export class KeyEncryptionKeyError extends Error {
  override name = "KeyEncryptionKeyError";
}

/** Decodes a KEK given as base64 (standard or URL-safe): exactly 32 bytes, for AES-256. */
export function parseKeyEncryptionKey(value: string, variable: string): Buffer {
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, "base64") : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new KeyEncryptionKeyError(
      `${variable} must be 32 random bytes in base64 (44 characters), e.g. from: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return key;
}

/**
 * A KEK held as an environment secret (development, or deployments without a KMS): AES-256-GCM key wrapping.
 * Its id is a fingerprint of the key, so the database can say which KEK wrapped what without revealing it.
 */
export function envKeyEncryptionKey(key: Buffer): KeyEncryptionKeyProvider {
  const id = `env:${createHash("sha256").update("ndx-registry-kek-id\u0000").update(key).digest("hex").slice(0, 16)}`;
  return {
    id,
    async wrap(dataKey, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return ["v1", iv, body, cipher.getAuthTag()].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    },
    async unwrap(wrapped, context) {
      const [version, iv, body, tag] = wrapped.split(".");
      if (version !== "v1" || iv === undefined || body === undefined || tag === undefined) {
        throw new KeyEncryptionKeyError("a wrapped data key is malformed");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
      } catch {
        throw new KeyEncryptionKeyError(`data key ${context} cannot be unwrapped with KEK ${id}`);
      }
    },
  };
}
