/**
 * The provider's signing keys and cookie keys: generated on first start, stored as a private JWKS under the data
 * directory (mode 0600) and reused on every restart, so tokens issued before a restart still verify after it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

export interface ProviderKeys {
  /** Private JWKs, each with `kid`, `alg` and `use`. */
  readonly jwks: { readonly keys: JWK[] };
  /** Keys that sign the provider's cookies, newest first. */
  readonly cookieKeys: string[];
}

const fileName = "keys.json";

export async function loadOrCreateKeys(dataDir: string): Promise<ProviderKeys & { readonly created: boolean }> {
  const file = join(dataDir, fileName);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error;
  }
  if (text !== undefined) return { ...parseKeys(text, file), created: false };
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const key: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: "RS256", use: "sig" };
  const keys: ProviderKeys = { jwks: { keys: [key] }, cookieKeys: [randomBytes(32).toString("base64url")] };
  mkdirSync(dataDir, { recursive: true });
  // Written beside and renamed, so a crash never leaves half a key file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return { ...keys, created: true };
}

function parseKeys(text: string, file: string): ProviderKeys {
  const value: unknown = JSON.parse(text);
  if (
    typeof value === "object" &&
    value !== null &&
    "jwks" in value &&
    "cookieKeys" in value &&
    typeof value.jwks === "object" &&
    value.jwks !== null &&
    "keys" in value.jwks &&
    Array.isArray(value.jwks.keys) &&
    value.jwks.keys.length > 0 &&
    Array.isArray(value.cookieKeys) &&
    value.cookieKeys.every((k) => typeof k === "string")
  ) {
    return { jwks: { keys: value.jwks.keys as JWK[] }, cookieKeys: value.cookieKeys };
  }
  throw new Error(`${file} is not a key file of this provider; move it away to generate new keys`);
}
