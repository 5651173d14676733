/**
 * The key that signs audit checkpoints, and the JWKS that verifies them (GET /.well-known/audit-jwks.json). Given as
 * AUDIT_CHECKPOINT_KEY (Ed25519 or P-256, PEM or JWK, like GATEWAY_SIGNING_KEY); required outside development. In
 * development a key is made once and kept in the evidence directory (0600), so checkpoints signed before a restart
 * still verify: a key generated per start would leave every earlier checkpoint unverifiable. The previous key
 * (AUDIT_CHECKPOINT_KEY_PREVIOUS) stays in the JWKS after a rotation, so old checkpoints verify too.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseGatewaySigningKey, type GatewaySigningKey, type JsonWebKeySet, type PublicJwk } from "@ndx/platform";

const keptKeyFile = "audit-checkpoint-key.pem";

async function readKept(dir: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, keptKeyFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Development: the key kept in `dir`, made there (Ed25519) at the first start. */
export async function loadOrCreateKeptKey(dir: string): Promise<{ key: GatewaySigningKey; created: boolean }> {
  const kept = await readKept(dir);
  if (kept !== undefined) return { key: parseGatewaySigningKey(kept), created: false };
  const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  await mkdir(dir, { recursive: true });
  // Written whole under a name of its own, then linked into place: another process (a second replica, a parallel
  // test) sees either no key or a complete one, and the first link wins.
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
  return { key: parseGatewaySigningKey(pem), created: true };
}

/** For the verifier: the kept key's public half, or undefined when none was ever made there (never creates one). */
export async function readKeptPublicKey(dir: string): Promise<PublicJwk | undefined> {
  const kept = await readKept(dir);
  return kept === undefined ? undefined : parseGatewaySigningKey(kept).publicJwk;
}

/** The JWKS of checkpoints: the current key first, then the previous ones. */
export function checkpointJwks(current: PublicJwk | undefined, previous: readonly PublicJwk[]): JsonWebKeySet {
  return { keys: current === undefined ? [...previous] : [current, ...previous.filter((k) => k.kid !== current.kid)] };
}
