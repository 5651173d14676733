/**
 * The key that signs consent artefacts, and the JWKS that verifies them (GET /.well-known/jwks.json on the engine).
 * Given as CONSENT_SIGNING_KEY (Ed25519 or P-256, PEM or JWK); required outside development. In development a key is
 * made once and kept in CONSENT_KEYS_DIR (0600), so artefacts signed before a restart still verify. The previous key
 * (CONSENT_SIGNING_KEY_PREVIOUS) stays in the JWKS after a rotation, so artefacts a consumer kept still verify.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseGatewaySigningKey, type GatewaySigningKey, type JsonWebKeySet, type PublicJwk } from "@ndx/platform";

export type ArtefactSigningKey = GatewaySigningKey;

const keptKeyFile = "consent-artefact-key.pem";

/** Development: the key kept in `dir`, made there (Ed25519) at the first start; a racing second process reads the first's. */
export async function loadOrCreateKeptKey(dir: string): Promise<ArtefactSigningKey> {
  try {
    return parseGatewaySigningKey(await readFile(join(dir, keptKeyFile), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  await mkdir(dir, { recursive: true });
  // Written whole under a name of its own, then linked into place: the first link wins.
  const draft = join(dir, `${keptKeyFile}.${randomUUID()}.tmp`);
  await writeFile(draft, pem, { mode: 0o600, flag: "wx" });
  try {
    await link(draft, join(dir, keptKeyFile));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return await loadOrCreateKeptKey(dir);
  } finally {
    await unlink(draft);
  }
  return parseGatewaySigningKey(pem);
}

/** The JWKS of artefacts: the current key first, then the previous ones (public halves only). */
export function artefactJwks(current: ArtefactSigningKey, previous: readonly PublicJwk[]): JsonWebKeySet {
  return { keys: [current.publicJwk, ...previous.filter((k) => k.kid !== current.kid)] };
}
