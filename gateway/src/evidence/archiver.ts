/**
 * Archives one chain's events older than the hot retention (AUDIT_HOT_RETENTION_DAYS) into evidence packages and
 * removes them from the hot table. A package ends at a checkpoint (time-stamped when a TSA is configured) and never
 * at the chain's head, so the hot chain always keeps its last event to continue from. Each package, in order:
 * 1. built from the database and `put` in the store (durable: written, fsynced, renamed);
 * 2. read back and verified offline against the trusted keys and CA;
 * 3. recorded in audit_archive (the table's trigger checks it against the events it covers);
 * 4. its events deleted and the record marked removed, in one transaction (the only DELETE audit_event allows).
 * A process that dies at any point leaves either an unrecorded file (removed at the next run: rolled back) or a
 * recorded package whose events are still hot (verified again and removed at the next run: finished). `pause` lets a
 * test stop the process after a named step.
 */
import { randomUUID } from "node:crypto";
import type { Db, Logger } from "@ndx/platform";
import { archiveProblem } from "./archiveVerify.ts";
import { listArchives, recordArchive, removeArchived, type ArchiveRecord } from "./archiveRecords.ts";
import type { ArchiveStore } from "./archiveStore.ts";
import { buildEvidencePackage, type PackageTrustFiles } from "./packageBuild.ts";
import { sha256Hex } from "./packageFormat.ts";

export type ArchiveStep = "built" | "written" | "recorded" | "removed";

export interface ArchiverOptions {
  readonly db: Db;
  readonly store: ArchiveStore;
  readonly chain: string;
  /** Events older than this many days are archived. @default 30 */
  readonly retentionDays?: number;
  /** Archive only up to a time-stamped checkpoint (a TSA is configured). @default true */
  readonly requireTimeStamp?: boolean;
  /** The checkpoint JWKS and TSA CA: put in each package and used to verify it before its events are removed. */
  readonly trust: PackageTrustFiles;
  /** Most events in one package (more when no checkpoint is closer). @default 50000 */
  readonly maxEvents?: number;
  /** Wall clock, ms. @default Date.now */
  readonly now?: () => number;
  /** Test hook: awaited after each step of each package. @default none */
  readonly pause?: ((step: ArchiveStep, name: string) => Promise<void>) | undefined;
  readonly logger?: Logger | undefined;
}

export interface ArchiveRun {
  /** Packages written in this run (interrupted ones finished count too). */
  readonly packages: number;
  /** Events removed from the hot table. */
  readonly removed: number;
}

const pad = (n: number) => String(n).padStart(12, "0");
const prefix = (chain: string) => `${encodeURIComponent(chain)}/`;
const dayMs = 86_400_000;

/** Finishes what a process that died left: recorded packages are verified and their events removed; unrecorded files go. */
async function recover(options: ArchiverOptions, records: readonly ArchiveRecord[]): Promise<number> {
  const { db, store, chain, trust } = options;
  let removed = 0;
  for (const record of records.filter((r) => r.removedAt === null)) {
    const problem = await archiveProblem(record, await store.get(record.name), { jwks: trust.jwks, caPem: trust.caPem });
    if (problem !== undefined) throw new Error(`audit archive of chain ${chain}, events ${record.fromSeq} to ${record.toSeq}: ${problem}; its events stay in the hot table`);
    removed += await removeArchived(db, record);
    options.logger?.info({ chain, fromSeq: record.fromSeq, toSeq: record.toSeq }, "audit archive: an interrupted archive finished");
  }
  const recorded = new Set(records.map((r) => r.name));
  for (const name of await store.list(prefix(chain))) {
    if (recorded.has(name)) continue;
    await store.remove(name);
    options.logger?.warn({ chain, name }, "audit archive: an unrecorded package left by an interrupted archive removed");
  }
  return removed;
}

/** The next range to archive: up to the latest qualifying checkpoint within maxEvents, else the first one beyond. */
async function nextRange(options: ArchiverOptions, after: number): Promise<{ toSeq: number } | undefined> {
  const cutoff = new Date((options.now ?? Date.now)() - (options.retentionDays ?? 30) * dayMs).toISOString();
  const cap = after + (options.maxEvents ?? 50_000);
  const r = await options.db.query<{ seq: string | number }>(
    `SELECT c.seq FROM audit_checkpoint c JOIN audit_event e ON e.chain = c.chain AND e.seq = c.seq
      WHERE c.chain = $1 AND c.seq > $2 AND c.seq < (SELECT max(seq) FROM audit_event WHERE chain = $1)
        AND e.at < $3 AND (NOT $4::boolean OR c.tst IS NOT NULL)
      ORDER BY (c.seq <= $5) DESC, CASE WHEN c.seq <= $5 THEN -c.seq ELSE c.seq END LIMIT 1`,
    [options.chain, after, cutoff, options.requireTimeStamp ?? true, cap],
  );
  const seq = r.rows[0]?.seq;
  return seq === undefined ? undefined : { toSeq: Number(seq) };
}

export async function archiveChain(options: ArchiverOptions): Promise<ArchiveRun> {
  const { db, store, chain, trust } = options;
  const records = await listArchives(db, chain);
  let removed = await recover(options, records);
  let packages = records.filter((r) => r.removedAt === null).length;
  let after = records.at(-1)?.toSeq ?? 0;
  for (let range = await nextRange(options, after); range !== undefined; range = await nextRange(options, after)) {
    const fromSeq = after + 1;
    const ends = await db.query<{ seq: string | number; at: Date | string; prev_hash: string; hash: string }>(
      "SELECT seq, at, prev_hash, hash FROM audit_event WHERE chain = $1 AND seq IN ($2, $3) ORDER BY seq",
      [chain, fromSeq, range.toSeq],
    );
    const [first, last] = [ends.rows[0], ends.rows.at(-1)];
    if (first === undefined || last === undefined || Number(first.seq) !== fromSeq) throw new Error(`audit archive of chain ${chain}: event ${fromSeq} is not in the hot table`);
    const query = { from: new Date(first.at).toISOString(), to: new Date(last.at).toISOString() };
    const selected = Array.from({ length: range.toSeq - fromSeq + 1 }, (_, i) => fromSeq + i);
    const { zip } = await buildEvidencePackage(db, query, { [chain]: { fromSeq, toSeq: range.toSeq, selected } }, trust);
    const name = `${prefix(chain)}${pad(fromSeq)}-${pad(range.toSeq)}-${randomUUID().slice(0, 8)}.zip`;
    await options.pause?.("built", name);
    await store.put(name, zip);
    await options.pause?.("written", name);
    const record = { chain, fromSeq, toSeq: range.toSeq, firstPrevHash: first.prev_hash, lastHash: last.hash, name, sha256: await sha256Hex(new Uint8Array(zip)), removedAt: null };
    const problem = await archiveProblem(record, await store.get(name), { jwks: trust.jwks, caPem: trust.caPem });
    if (problem !== undefined) {
      await store.remove(name);
      throw new Error(`audit archive of chain ${chain}, events ${fromSeq} to ${range.toSeq}: ${problem}; nothing removed`);
    }
    await recordArchive(db, record);
    await options.pause?.("recorded", name);
    removed += await removeArchived(db, record);
    await options.pause?.("removed", name);
    packages += 1;
    after = range.toSeq;
    options.logger?.info({ chain, fromSeq, toSeq: range.toSeq, name }, "audit archive: events archived and removed from the hot table");
  }
  return { packages, removed };
}
