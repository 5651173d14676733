/**
 * The gateway's signing key for caller assertions (callerAssertion.ts) and the public JWKS subgraphs verify them with.
 * Ed25519 (JWS `EdDSA`) or P-256 (`ES256`), given as PEM or as a JWK; parsed synchronously so a bad key is a
 * configuration error at start-up, not a failure at the first request. `kid` is the key's RFC 7638 thumbprint.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";

/** The JWS algorithms a caller assertion may use; anything else (`none`, HS256, RS256, ...) is refused. */
export const assertionAlgorithms = ["EdDSA", "ES256"] as const;
export type AssertionAlgorithm = (typeof assertionAlgorithms)[number];

/** A public key as published in the JWKS. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: AssertionAlgorithm;
  readonly use: "sig";
}

export interface GatewaySigningKey {
  readonly privateKey: KeyObject;
  readonly alg: AssertionAlgorithm;
  readonly kid: string;
  readonly publicJwk: PublicJwk;
}

export interface JsonWebKeySet {
  readonly keys: readonly PublicJwk[];
}

/** The PEM or JWK text of a key, as one environment variable gives it. */
function keyInput(text: string, kind: "private" | "public"): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(trimmed);
    } catch {
      throw new Error("is not valid JSON (expected a JWK)");
    }
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new Error("is not a JWK object");
    const key = { key: jwk as JsonWebKey, format: "jwk" } as const;
    return kind === "private" ? createPrivateKey(key) : createPublicKey(key);
  }
  // Multi-line PEM is often passed on one line with literal \n.
  const pem = trimmed.replaceAll("\\n", "\n");
  return kind === "private" ? createPrivateKey(pem) : createPublicKey(pem);
}

function describeKey(key: KeyObject): { alg: AssertionAlgorithm; jwk: PublicJwk } {
  const pub = key.type === "public" ? key : createPublicKey(key);
  const raw = pub.export({ format: "jwk" });
  let alg: AssertionAlgorithm;
  let members: Record<string, string>;
  if (pub.asymmetricKeyType === "ed25519" && raw.crv === "Ed25519" && raw.x !== undefined) {
    alg = "EdDSA";
    members = { crv: raw.crv, kty: "OKP", x: raw.x };
  } else if (pub.asymmetricKeyType === "ec" && raw.crv === "P-256" && raw.x !== undefined && raw.y !== undefined) {
    alg = "ES256";
    members = { crv: raw.crv, kty: "EC", x: raw.x, y: raw.y };
  } else {
    throw new Error(`is a ${pub.asymmetricKeyType ?? "unknown"} key (expected Ed25519 or P-256)`);
  }
  // RFC 7638: the required members, in lexicographic order, no whitespace.
  const kid = createHash("sha256").update(JSON.stringify(members)).digest("base64url");
  return { alg, jwk: { ...(members as { kty: string; crv: string; x: string; y?: string }), kid, alg, use: "sig" } };
}

function wrap(parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // node:crypto's messages name the format problem, never the key material.
    throw new Error(why.startsWith("is ") ? why : "is not a PEM or JWK key", { cause: error });
  }
}

/** Parses GATEWAY_SIGNING_KEY: an Ed25519 or P-256 private key, PEM (PKCS#8 / SEC1) or JWK. Throws a short reason. */
export function parseGatewaySigningKey(text: string): GatewaySigningKey {
  const privateKey = wrap(() => keyInput(text, "private"));
  const { alg, jwk } = describeKey(privateKey);
  return { privateKey, alg, kid: jwk.kid, publicJwk: jwk };
}

/** Parses a public key to publish beside the current one (the previous key during a rotation); a private key gives its public half. */
export function parseGatewayPublicKey(text: string): PublicJwk {
  return describeKey(wrap(() => keyInput(text, "public"))).jwk;
}

/** A fresh Ed25519 key, for development: it lives as long as the process (subgraphs refetch the JWKS on its new kid). */
export function generateGatewaySigningKey(): GatewaySigningKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  const { alg, jwk } = describeKey(privateKey);
  return { privateKey, alg, kid: jwk.kid, publicJwk: jwk };
}

/** The JWKS the gateway publishes: the current key first, then any previous ones (no duplicates). */
export function gatewayJwks(current: GatewaySigningKey, previous: readonly PublicJwk[] = []): JsonWebKeySet {
  const keys = [current.publicJwk, ...previous.filter((k) => k.kid !== current.kid)];
  return { keys };
}
