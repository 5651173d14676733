/**
 * What `audit:verify` checks checkpoints with, from the gateway's settings and nothing in its database: the checkpoint
 * JWKS (AUDIT_CHECKPOINT_KEY's public half, or development's kept key, and AUDIT_CHECKPOINT_KEY_PREVIOUS) and the TSA
 * CA certificates (AUDIT_TSA_CA_FILE, by default the development TSA's). Never creates a key.
 */
import { readFile } from "node:fs/promises";
import { checkpointJwks, readKeptPublicKey } from "./checkpointKeys.ts";
import { fileArchiveStore, type ArchiveStore } from "./archiveStore.ts";
import type { CheckpointVerifyOptions } from "./checkpointVerify.ts";
import type { PackageTrust } from "./packageVerify.ts";
import type { EvidenceSettings } from "./evidenceConfig.ts";
import { parsePemCertificates } from "./timeStampToken.ts";

/** The archive's packages are verified with the same keys and CA, pinned (never the package's own). */
export async function archiveVerifyOptions(settings: EvidenceSettings): Promise<{ store: ArchiveStore; trust: PackageTrust }> {
  const jwks = checkpointJwks(settings.key?.publicJwk ?? (await readKeptPublicKey(settings.dir)), settings.previousKeys);
  let caPem: string | undefined;
  try {
    caPem = await readFile(settings.tsaCaFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { store: fileArchiveStore(settings.archive.dir), trust: { jwks, caPem } };
}

export async function checkpointVerifyOptions(settings: EvidenceSettings): Promise<CheckpointVerifyOptions> {
  const current = settings.key?.publicJwk ?? (await readKeptPublicKey(settings.dir));
  let trusted: CheckpointVerifyOptions["trusted"];
  try {
    trusted = parsePemCertificates(await readFile(settings.tsaCaFile, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`AUDIT_TSA_CA_FILE ${settings.tsaCaFile}: not PEM certificates`, { cause: error });
    trusted = undefined;
  }
  return { jwks: checkpointJwks(current, settings.previousKeys), trusted: trusted?.length === 0 ? undefined : trusted };
}
