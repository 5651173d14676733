/**
 * A citizen's own evidence package ("who saw my data"): the decisions about them in a time window and the outcomes
 * that complete them, in full; of every other event of the chain ranges only its hash. The checkpoints covering the
 * ranges sign a root over their segment's hashes (segmentRoot.ts), so the package proves the citizen's events were
 * in the signed, time-stamped chain without disclosing anyone else's. Only ranges whose checkpoints all carry a
 * segment root can be packaged this way (checkpoints made before roots were signed cannot).
 */
import type { Queryable } from "@ndx/platform";
import { zipSync } from "fflate";
import { auditColumns, eventFromRow, type AuditRow } from "../audit/auditRows.ts";
import { verifyCheckpoint } from "./checkpointSigner.ts";
import { listCheckpoints } from "./checkpointStore.ts";
import type { PackageTrustFiles } from "./packageBuild.ts";
import { selectedEvents } from "./packageExport.ts";
import {
  caPath,
  checkpointsPath,
  citizenPackageFormat,
  eventsPath,
  hashesPath,
  jwksPath,
  manifestPath,
  sha256Hex,
  toJsonl,
  type ChainRange,
  type Manifest,
} from "./packageFormat.ts";

export class CitizenPackageUnavailable extends Error {}

export async function exportCitizenPackage(
  db: Queryable,
  query: { readonly from: string; readonly to: string; readonly citizen: string },
  trust: PackageTrustFiles,
): Promise<{ zip: Uint8Array; manifest: Manifest }> {
  const selected = new Map<string, number[]>();
  for (const e of await selectedEvents(db, query)) selected.set(e.chain, [...(selected.get(e.chain) ?? []), e.seq]);
  const files: Record<string, Uint8Array<ArrayBuffer>> = {};
  const chains: Record<string, ChainRange> = {};
  const encoder = new TextEncoder();
  for (const [chain, seqs] of [...selected].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    const first = sorted[0] ?? 1;
    const last = sorted.at(-1) ?? first;
    const checkpoints = await listCheckpoints(db, { chain, fromSeq: 0, toSeq: Number.MAX_SAFE_INTEGER });
    const before = checkpoints.filter((c) => c.seq < first).at(-1);
    const covering = checkpoints.find((c) => c.seq >= last);
    // Not yet covered: left out until the next checkpoint (nothing signed holds them yet).
    const covered = covering === undefined ? sorted.filter((s) => s <= (checkpoints.at(-1)?.seq ?? 0)) : sorted;
    const end = covering ?? checkpoints.at(-1);
    if (covered.length === 0 || end === undefined) continue;
    const fromSeq = (before?.seq ?? 0) + 1;
    const toSeq = end.seq;
    const inRange = checkpoints.filter((c) => c.seq >= fromSeq - 1 && c.seq <= toSeq);
    for (const c of inRange.filter((c) => c.seq >= fromSeq)) {
      const signed = await verifyCheckpoint(c.jws, trust.jwks);
      if (!signed.ok || signed.claims.segment === undefined) {
        throw new CitizenPackageUnavailable(`the checkpoint at event ${c.seq} of chain ${chain} (${c.at}) signs no segment root: events before it can only be exported whole`);
      }
    }
    const hashes = await db.query<{ hash: string }>("SELECT hash FROM audit_event WHERE chain = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq", [chain, fromSeq, toSeq]);
    if (hashes.rows.length !== toSeq - fromSeq + 1) {
      throw new CitizenPackageUnavailable(`events ${fromSeq} to ${toSeq} of chain ${chain} are no longer all in the hot trail (archived): their evidence is the archive's package`);
    }
    const rows = await db.query<AuditRow>(`SELECT ${auditColumns} FROM audit_event WHERE chain = $1 AND seq = ANY($2::bigint[]) ORDER BY seq`, [chain, covered]);
    files[eventsPath(chain)] = encoder.encode(toJsonl(rows.rows.map(eventFromRow)));
    files[hashesPath(chain)] = encoder.encode(hashes.rows.map((r) => `${r.hash}\n`).join(""));
    files[checkpointsPath(chain)] = encoder.encode(toJsonl(inRange));
    chains[chain] = { fromSeq, toSeq, selected: covered };
  }
  files[jwksPath] = encoder.encode(JSON.stringify(trust.jwks, null, 2));
  if (trust.caPem !== undefined) files[caPath] = encoder.encode(trust.caPem);
  const digests: Record<string, string> = {};
  for (const [path, bytes] of Object.entries(files)) digests[path] = await sha256Hex(bytes);
  const manifest: Manifest = { format: citizenPackageFormat, createdAt: new Date().toISOString(), query, chains, files: digests };
  files[manifestPath] = encoder.encode(JSON.stringify(manifest, null, 2));
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([p, b]) => [p, [b, { level: 0 }]])), { mtime: new Date(manifest.createdAt) });
  return { zip, manifest };
}
