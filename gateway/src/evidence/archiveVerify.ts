/**
 * Checks archived packages against their records: the bytes' SHA-256, the package verified offline against the
 * trusted checkpoint keys and TSA CA (not the package's own), its range and end hashes as recorded, and each chain's
 * archives contiguous from event 1. The last archive's last hash, read from the package, is where the hot chain
 * continues (`audit:verify` starts there).
 */
import { unzipSync } from "fflate";
import { genesisHash, type ChainedEvent } from "../audit/auditEvent.ts";
import type { ArchiveRecord } from "./archiveRecords.ts";
import type { ArchiveStore } from "./archiveStore.ts";
import { eventsPath, manifestPath, sha256Hex, type Manifest } from "./packageFormat.ts";
import { verifyEvidencePackage, type PackageTrust } from "./packageVerify.ts";

/** Where a chain's hot part starts: after event `seq`, whose hash is `hash`. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** The reason a stored package does not hold what its record says, or undefined when it does. */
export async function archiveProblem(record: ArchiveRecord, bytes: Uint8Array | undefined, trust: PackageTrust): Promise<string | undefined> {
  if (bytes === undefined) return `its package ${record.name} is missing from the archive`;
  if ((await sha256Hex(new Uint8Array(bytes))) !== record.sha256) return `its package ${record.name} does not match the recorded SHA-256`;
  const verdict = await verifyEvidencePackage(bytes, trust);
  if (!verdict.ok) return `its package ${record.name}: ${verdict.message}`;
  const entries = unzipSync(bytes);
  const manifest = JSON.parse(new TextDecoder().decode(entries[manifestPath])) as Manifest;
  const range = manifest.chains[record.chain];
  if (range === undefined || range.fromSeq !== record.fromSeq || range.toSeq !== record.toSeq) return `its package ${record.name} holds another range than recorded`;
  const events = new TextDecoder()
    .decode(entries[eventsPath(record.chain)])
    .split("\n")
    .filter((l) => l !== "");
  const first = JSON.parse(events[0] ?? "{}") as Partial<ChainedEvent>;
  const last = JSON.parse(events.at(-1) ?? "{}") as Partial<ChainedEvent>;
  if (first.prevHash !== record.firstPrevHash || last.hash !== record.lastHash) return `its package ${record.name} does not end with the recorded hashes`;
  return undefined;
}

export interface ArchiveReport {
  readonly ok: boolean;
  /** Per chain, where its hot part starts. */
  readonly anchors: Record<string, ChainAnchor>;
  /** Per chain, archived events still in the hot table (an archive whose removal was interrupted). */
  readonly pendingRemoval: Record<string, number>;
  readonly packages: number;
  readonly broken?: { readonly chain: string; readonly fromSeq: number; readonly toSeq: number; readonly reason: string };
}

export async function verifyArchives(records: readonly ArchiveRecord[], store: ArchiveStore, trust: PackageTrust): Promise<ArchiveReport> {
  const anchors: Record<string, ChainAnchor> = {};
  const pendingRemoval: Record<string, number> = {};
  let packages = 0;
  for (const record of records) {
    const before = anchors[record.chain] ?? { seq: 0, hash: genesisHash };
    const fail = (reason: string): ArchiveReport => ({
      ok: false,
      anchors,
      pendingRemoval,
      packages,
      broken: { chain: record.chain, fromSeq: record.fromSeq, toSeq: record.toSeq, reason },
    });
    if (record.fromSeq !== before.seq + 1 || record.firstPrevHash !== before.hash) return fail(`it does not continue the archive before it (event ${before.seq})`);
    const problem = await archiveProblem(record, await store.get(record.name), trust);
    if (problem !== undefined) return fail(problem);
    anchors[record.chain] = { seq: record.toSeq, hash: record.lastHash };
    if (record.removedAt === null) pendingRemoval[record.chain] = (pendingRemoval[record.chain] ?? 0) + record.toSeq - record.fromSeq + 1;
    packages += 1;
  }
  return { ok: true, anchors, pendingRemoval, packages };
}
