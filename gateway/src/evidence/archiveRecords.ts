/** The audit_archive table (migrations/005): one row per archived package, read by the archiver and by audit:verify. */
import type { Queryable } from "@ndx/platform";

export interface ArchiveRecord {
  readonly chain: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The previous hash of the package's first event (the genesis hash, or the last hash of the archive before). */
  readonly firstPrevHash: string;
  /** The hash of its last event: the anchor the hot chain continues from. */
  readonly lastHash: string;
  /** Its name in the archive store. */
  readonly name: string;
  /** SHA-256 (hex) of the package's bytes. */
  readonly sha256: string;
  /** Set once its events are removed from the hot table. */
  readonly removedAt: string | null;
}

interface Row {
  chain: string;
  from_seq: string | number;
  to_seq: string | number;
  first_prev_hash: string;
  last_hash: string;
  name: string;
  sha256: string;
  removed_at: Date | string | null;
}

const fromRow = (r: Row): ArchiveRecord => ({
  chain: r.chain,
  fromSeq: Number(r.from_seq),
  toSeq: Number(r.to_seq),
  firstPrevHash: r.first_prev_hash,
  lastHash: r.last_hash,
  name: r.name,
  sha256: r.sha256,
  removedAt: r.removed_at === null ? null : new Date(r.removed_at).toISOString(),
});

const columns = "chain, from_seq, to_seq, first_prev_hash, last_hash, name, sha256, removed_at";

/** The archive records of one chain, or of all chains, in chain then sequence order. */
export async function listArchives(db: Queryable, chain?: string): Promise<ArchiveRecord[]> {
  const r =
    chain === undefined
      ? await db.query<Row>(`SELECT ${columns} FROM audit_archive ORDER BY chain, from_seq`)
      : await db.query<Row>(`SELECT ${columns} FROM audit_archive WHERE chain = $1 ORDER BY from_seq`, [chain]);
  return r.rows.map(fromRow);
}

/** Records a written, verified package; the table's trigger refuses one that does not match the hot events. */
export async function recordArchive(db: Queryable, a: Omit<ArchiveRecord, "removedAt">): Promise<void> {
  await db.query("INSERT INTO audit_archive (chain, from_seq, to_seq, first_prev_hash, last_hash, name, sha256) VALUES ($1,$2,$3,$4,$5,$6,$7)", [
    a.chain,
    a.fromSeq,
    a.toSeq,
    a.firstPrevHash,
    a.lastHash,
    a.name,
    a.sha256,
  ]);
}

/** Removes a recorded package's events from the hot table and marks it done, in one transaction. */
export async function removeArchived(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, a: ArchiveRecord): Promise<number> {
  return db.transaction(async (tx) => {
    const removed = await tx.query("DELETE FROM audit_event WHERE chain = $1 AND seq BETWEEN $2 AND $3", [a.chain, a.fromSeq, a.toSeq]);
    await tx.query("UPDATE audit_archive SET removed_at = now() WHERE chain = $1 AND from_seq = $2 AND removed_at IS NULL", [a.chain, a.fromSeq]);
    return removed.rowCount;
  });
}
