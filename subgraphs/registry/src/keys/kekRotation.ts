/**
 * Rotation of the key-encryption key: every data key wrapped under the current KEK is unwrapped and wrapped again
 * under the new one, in one transaction. Records are not touched — they are encrypted with the data keys, which do
 * not change. Safe to re-run: keys already under the new KEK are left alone.
 */
import type { Db } from "@ndx/platform";
import { KeyEncryptionKeyError, type KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";

export interface RotationResult {
  /** Data keys re-wrapped now. */
  readonly rewrapped: number;
  /** Data keys that were already under the new KEK. */
  readonly alreadyRotated: number;
}

export async function rotateKeyEncryptionKey(
  db: Db,
  current: KeyEncryptionKeyProvider,
  next: KeyEncryptionKeyProvider,
): Promise<RotationResult> {
  if (current.id === next.id) throw new KeyEncryptionKeyError("the new KEK is the current one; nothing to rotate");
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('ndx:registry:data-keys'))");
    const rows = await tx.query<{ id: string; kek_id: string; wrapped: string }>(
      "SELECT id, kek_id, wrapped FROM data_key ORDER BY id FOR UPDATE",
    );
    const foreign = rows.rows.filter((r) => r.kek_id !== current.id && r.kek_id !== next.id);
    if (foreign.length > 0) {
      throw new KeyEncryptionKeyError(
        `${foreign.length} data key(s) are wrapped under KEK ${foreign[0]?.kek_id}, which is neither the current nor the new one; nothing was changed`,
      );
    }
    let rewrapped = 0;
    for (const row of rows.rows) {
      if (row.kek_id === next.id) continue;
      const dataKey = await current.unwrap(row.wrapped, row.id);
      const wrapped = await next.wrap(dataKey, row.id);
      dataKey.fill(0);
      await tx.query("UPDATE data_key SET kek_id = $2, wrapped = $3, rewrapped_at = now() WHERE id = $1", [row.id, next.id, wrapped]);
      rewrapped += 1;
    }
    return { rewrapped, alreadyRotated: rows.rows.length - rewrapped };
  });
}
