/** The audit_checkpoint table (migrations/003): store a signed checkpoint, add its time-stamp once, read them back. */
import type { Queryable } from "@ndx/platform";

export interface StoredCheckpoint {
  readonly chain: string;
  readonly seq: number;
  readonly hash: string;
  /** ISO 8601: when the gateway signed it. */
  readonly at: string;
  readonly policyRevision: string | null;
  readonly kid: string;
  /** The compact JWS. */
  readonly jws: string;
  /** The RFC 3161 time-stamp token (DER, base64), or null while the TSA has not answered. */
  readonly tst: string | null;
  /** The token's genTime (ISO 8601). */
  readonly tstAt: string | null;
}

interface Row {
  chain: string;
  seq: string | number;
  hash: string;
  at: Date | string;
  policy_revision: string | null;
  kid: string;
  jws: string;
  tst: string | null;
  tst_at: Date | string | null;
}

const columns = "chain, seq, hash, at, policy_revision, kid, jws, tst, tst_at";
const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

function fromRow(row: Row): StoredCheckpoint {
  return {
    chain: row.chain,
    seq: Number(row.seq),
    hash: row.hash,
    at: iso(row.at),
    policyRevision: row.policy_revision,
    kid: row.kid,
    jws: row.jws,
    tst: row.tst,
    tstAt: row.tst_at === null ? null : iso(row.tst_at),
  };
}

export async function insertCheckpoint(db: Queryable, c: Omit<StoredCheckpoint, "tst" | "tstAt">): Promise<void> {
  await db.query(
    "INSERT INTO audit_checkpoint (chain, seq, hash, at, policy_revision, kid, jws) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (chain, seq) DO NOTHING",
    [c.chain, c.seq, c.hash, c.at, c.policyRevision, c.kid, c.jws],
  );
}

export async function addTimeStamp(db: Queryable, chain: string, seq: number, tst: string, tstAt: string): Promise<void> {
  await db.query("UPDATE audit_checkpoint SET tst = $3, tst_at = $4 WHERE chain = $1 AND seq = $2 AND tst IS NULL", [chain, seq, tst, tstAt]);
}

/** The chain's latest checkpoint, or undefined. */
export async function lastCheckpoint(db: Queryable, chain: string): Promise<StoredCheckpoint | undefined> {
  const r = await db.query<Row>(`SELECT ${columns} FROM audit_checkpoint WHERE chain = $1 ORDER BY seq DESC LIMIT 1`, [chain]);
  return r.rows[0] === undefined ? undefined : fromRow(r.rows[0]);
}

/** The chain's checkpoints still without a time-stamp, oldest first. */
export async function unstampedCheckpoints(db: Queryable, chain: string, limit: number): Promise<StoredCheckpoint[]> {
  const r = await db.query<Row>(`SELECT ${columns} FROM audit_checkpoint WHERE chain = $1 AND tst IS NULL ORDER BY seq LIMIT $2`, [chain, limit]);
  return r.rows.map(fromRow);
}

/** Every checkpoint (all chains), or those of one chain with seq in [fromSeq, toSeq], in chain then seq order. */
export async function listCheckpoints(db: Queryable, where?: { chain: string; fromSeq: number; toSeq: number }): Promise<StoredCheckpoint[]> {
  const r =
    where === undefined
      ? await db.query<Row>(`SELECT ${columns} FROM audit_checkpoint ORDER BY chain, seq`)
      : await db.query<Row>(`SELECT ${columns} FROM audit_checkpoint WHERE chain = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, [where.chain, where.fromSeq, where.toSeq]);
  return r.rows.map(fromRow);
}
