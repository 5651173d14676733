/**
 * `npm run registry:rotate-kek`: re-wraps every data key of the registry under a new key-encryption key, without
 * re-encrypting any record. Environment: REGISTRY_KEK (the current KEK), REGISTRY_NEW_KEK (the new one), and
 * DATABASE_URL or PGLITE_DIR as the registry uses them (with embedded PGlite, stop the registry first). Afterwards,
 * start the registry with REGISTRY_KEK set to the new KEK.
 */
import { migrate, openDb, readMigrations } from "@ndx/platform";
import { loadKekRotationConfig } from "./config.ts";
import { envKeyEncryptionKey } from "./keys/keyEncryptionKey.ts";
import { rotateKeyEncryptionKey } from "./keys/kekRotation.ts";
import { migrationsDir } from "./migrations.ts";

try {
  const config = loadKekRotationConfig(process.env);
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "registry" });
  try {
    await migrate(db, readMigrations(migrationsDir), "ndx:registry");
    const current = envKeyEncryptionKey(config.kek);
    const next = envKeyEncryptionKey(config.newKek);
    const result = await rotateKeyEncryptionKey(db, current, next);
    process.stdout.write(
      `Re-wrapped ${result.rewrapped} data key(s) from KEK ${current.id} to ${next.id}` +
        `${result.alreadyRotated > 0 ? ` (${result.alreadyRotated} already under it)` : ""}; no record was re-encrypted.\n` +
        "Start the registry with REGISTRY_KEK set to the new key.\n",
    );
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`KEK rotation failed, nothing was changed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
