/**
 * Secrets the exchange must keep but never show (an application's RFC 7592 registration access token and client URI),
 * sealed at rest with AES-256-GCM under EXCHANGE_SECRET_KEY. The additional data binds a sealed value to the row it
 * belongs to: copied to another application, it no longer opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface SecretBox {
  seal(plain: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
}

const version = "v1";

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error("the exchange's secret key must be 32 bytes");
  const k = Buffer.from(key);
  return {
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", k, iv);
      cipher.setAAD(Buffer.from(boundTo, "utf8"));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return [version, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(".");
    },
    open(sealed, boundTo) {
      const [v, iv, tag, body] = sealed.split(".");
      if (v !== version || iv === undefined || tag === undefined || body === undefined) throw new Error("not a sealed exchange secret");
      const decipher = createDecipheriv("aes-256-gcm", k, Buffer.from(iv, "base64"));
      decipher.setAAD(Buffer.from(boundTo, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
    },
  };
}

/** EXCHANGE_SECRET_KEY: base64 of exactly 32 bytes. The error names the setting, never the value. */
export function parseSecretKey(value: string, name = "EXCHANGE_SECRET_KEY"): Uint8Array {
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, "base64") : Buffer.alloc(0);
  if (bytes.length !== 32) throw new Error(`${name} must be 32 random bytes, base64-encoded`);
  return new Uint8Array(bytes);
}
