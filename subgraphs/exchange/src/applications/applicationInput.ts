/**
 * What an application registration must hold: redirect URIs a consent portal may send citizens back to (exact match,
 * absolute, no fragment, no wildcard, https outside development), purposes with bounded periods, and for
 * PRIVATE_KEY_JWT a JWKS of public keys only.
 */
import { importJWK, type JWK } from "jose";
import { badInput } from "../errors.ts";
import { atMost, limits, text } from "../inputChecks.ts";
import type { Purpose } from "./applicationStore.ts";
import { checkTranslations, type Translation } from "./translations.ts";

export interface PurposeInput {
  readonly code: string;
  readonly text: string;
  readonly legalBasis: string;
  readonly maxConsentDays?: number | null;
  readonly maxGrantDays?: number | null;
  /** The citizen text in other languages. @default [] */
  readonly translations?: readonly Translation[] | null;
}

const purposeCode = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function checkRedirectUris(uris: readonly string[], development: boolean): string[] {
  atMost(uris, "redirectUris", limits.redirectUris, 1);
  const out = uris.map((raw, i) => {
    const field = `redirectUris[${i}]`;
    if (raw.length > limits.uri) throw badInput(`${field} is longer than ${limits.uri} characters`, { field });
    if (raw.includes("*")) throw badInput(`${field} has a wildcard: redirect URIs match exactly`, { field });
    if (raw.includes("#")) throw badInput(`${field} has a fragment, which a redirect URI may not have`, { field });
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw badInput(`${field} is not an absolute URI`, { field });
    }
    if (url.username !== "" || url.password !== "") throw badInput(`${field} carries credentials`, { field });
    const localHttp = url.protocol === "http:" && development && loopback.has(url.hostname);
    if (url.protocol !== "https:" && !localHttp) {
      throw badInput(
        development ? `${field} must be https (http only for localhost in development)` : `${field} must be https`,
        { field },
      );
    }
    return raw;
  });
  if (new Set(out).size !== out.length) throw badInput("redirectUris names a URI twice", { field: "redirectUris" });
  return out;
}

function days(value: number | null | undefined, fallback: number, field: string, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw badInput(`${field} must be from 1 to ${max} days`, { field, max });
  return v;
}

/** The purposes, their texts in `language` and their translations checked. */
export function checkPurposes(purposes: readonly PurposeInput[], language = "en"): Purpose[] {
  atMost(purposes, "purposes", limits.purposes, 1);
  const out = purposes.map((p, i) => {
    const field = `purposes[${i}]`;
    if (!purposeCode.test(p.code)) {
      throw badInput(`${field}.code must be lower-case letters, digits, dots, hyphens or underscores (at most 64)`, { field: `${field}.code` });
    }
    return {
      code: p.code,
      text: text(p.text, `${field}.text`, limits.text),
      legalBasis: text(p.legalBasis, `${field}.legalBasis`, limits.text),
      maxConsentDays: days(p.maxConsentDays, 30, `${field}.maxConsentDays`, 365),
      maxGrantDays: days(p.maxGrantDays, 365, `${field}.maxGrantDays`, 1825),
      translations: checkTranslations(p.translations, `${field}.translations`, limits.text, language),
    };
  });
  const codes = out.map((p) => p.code);
  if (new Set(codes).size !== codes.length) throw badInput("purposes names a code twice", { field: "purposes" });
  return out;
}

/** Members a JWK of a private or symmetric key has; a public key has none of them. */
const privateMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

/** The application's public keys, parsed and checked one by one with jose. */
export async function checkJwks(raw: string | null | undefined): Promise<{ keys: JWK[] }> {
  if (raw === null || raw === undefined || raw.trim() === "") throw badInput("PRIVATE_KEY_JWT needs the application's public keys (jwks)", { field: "jwks" });
  if (raw.length > limits.jwks) throw badInput(`jwks is longer than ${limits.jwks} characters`, { field: "jwks" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badInput("jwks is not JSON", { field: "jwks" });
  }
  const keys = typeof parsed === "object" && parsed !== null && "keys" in parsed ? (parsed).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) throw badInput("jwks must be a JWK Set with 1 to 10 keys", { field: "jwks" });
  const out: JWK[] = [];
  for (const [i, key] of keys.entries()) {
    if (typeof key !== "object" || key === null || Array.isArray(key)) throw badInput(`jwks.keys[${i}] is not a JWK`, { field: "jwks" });
    const jwk = key as JWK;
    if (privateMembers.some((m) => m in jwk)) {
      throw badInput(`jwks.keys[${i}] holds private or symmetric key material; upload public keys only`, { field: "jwks" });
    }
    if (!["RSA", "EC", "OKP"].includes(jwk.kty ?? "")) throw badInput(`jwks.keys[${i}] is not an RSA, EC or OKP public key`, { field: "jwks" });
    try {
      await importJWK(jwk, jwk.alg ?? defaultAlg(jwk));
    } catch {
      throw badInput(`jwks.keys[${i}] is not a valid public key`, { field: "jwks" });
    }
    out.push(jwk);
  }
  return { keys: out };
}

function defaultAlg(jwk: JWK): string {
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "OKP") return "EdDSA";
  return jwk.crv === "P-384" ? "ES384" : jwk.crv === "P-521" ? "ES512" : "ES256";
}
