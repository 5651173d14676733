/**
 * Records that reached a register without a change request — the initial load of the seed, or data present before
 * change requests existed — are adopted at start-up: each gets an IMPORT row in its history (so every version of
 * every record is accounted for) and its entries in the duplicate index. Idempotent; a no-op once all are adopted.
 */
import type { Db } from "@ndx/platform";
import type { FieldCipher } from "../keys/fieldCipher.ts";
import type { MatchIndex } from "./matchIndex.ts";
import { appendHistory, importActor } from "./recordHistory.ts";
import type { RegisterCatalogue } from "../registers/registerMetadata.ts";
import { recordStorageFor } from "./recordStorage.ts";

export async function adoptRecords(
  db: Db,
  catalogue: RegisterCatalogue,
  cipher: FieldCipher,
  index: MatchIndex,
  batchSize = 2000,
): Promise<Record<string, number>> {
  const adopted: Record<string, number> = {};
  for (const register of catalogue.registers) {
    const storage = recordStorageFor(register);
    let count = 0;
    for (;;) {
      const done = await db.transaction(async (tx) => {
        // Instances starting together adopt one after the other.
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('ndx:registry:adopt'))");
        const batch = await storage.unadopted(tx, batchSize);
        if (batch.length === 0) return 0;
        await appendHistory(
          tx,
          batch.map((r) => ({
            register: register.name,
            recordId: r.id,
            version: r.version,
            operation: "IMPORT" as const,
            changeRequestId: null,
            submittedBy: importActor,
            approvedBy: null,
            plain: r.plain,
            sealed: r.sealed,
          })),
        );
        await index.insert(
          tx,
          register,
          batch.map((r) => ({ recordId: r.id, keys: index.keysOf(register, cipher.open(register.name, r.id, r.plain, r.sealed)) })),
        );
        return batch.length;
      });
      if (done === 0) break;
      count += done;
    }
    if (count > 0) adopted[register.name] = count;
  }
  return adopted;
}
