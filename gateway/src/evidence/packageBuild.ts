/**
 * Writes the zip of an evidence package from contiguous ranges of chains: the events of each range (read whole from
 * the database), the checkpoints from the one just before the range to its end, the checkpoint JWKS, the TSA's CA
 * and the manifest with every entry's SHA-256. Used by `audit:export` (ranges around a query's events) and by the
 * archive (a range ending at a checkpoint, every event selected).
 */
import type { JsonWebKeySet, Queryable } from "@ndx/platform";
import { zipSync } from "fflate";
import { auditColumns, eventFromRow, type AuditRow } from "../audit/auditRows.ts";
import { listCheckpoints } from "./checkpointStore.ts";
import {
  caPath,
  checkpointsPath,
  eventsPath,
  jwksPath,
  manifestPath,
  packageFormat,
  sha256Hex,
  toJsonl,
  type ChainRange,
  type Manifest,
  type PackageQuery,
} from "./packageFormat.ts";

export interface PackageTrustFiles {
  readonly jwks: JsonWebKeySet;
  readonly caPem: string | undefined;
}

export async function buildEvidencePackage(
  db: Queryable,
  query: PackageQuery,
  ranges: Readonly<Record<string, ChainRange>>,
  trust: PackageTrustFiles,
): Promise<{ zip: Uint8Array; manifest: Manifest }> {
  const files: Record<string, Uint8Array<ArrayBuffer>> = {};
  const encoder = new TextEncoder();
  for (const [chain, { fromSeq, toSeq }] of Object.entries(ranges)) {
    const rows = await db.query<AuditRow>(`SELECT ${auditColumns} FROM audit_event WHERE chain = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, [chain, fromSeq, toSeq]);
    if (rows.rows.length !== toSeq - fromSeq + 1) {
      throw new Error(`events ${fromSeq} to ${toSeq} of chain ${chain} are no longer all in the hot trail (archived): their evidence is the archive's package`);
    }
    files[eventsPath(chain)] = encoder.encode(toJsonl(rows.rows.map(eventFromRow)));
    files[checkpointsPath(chain)] = encoder.encode(toJsonl(await listCheckpoints(db, { chain, fromSeq: fromSeq - 1, toSeq })));
  }
  files[jwksPath] = encoder.encode(JSON.stringify(trust.jwks, null, 2));
  if (trust.caPem !== undefined) files[caPath] = encoder.encode(trust.caPem);
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of Object.entries(files)) hashes[path] = await sha256Hex(bytes);
  const manifest: Manifest = { format: packageFormat, createdAt: new Date().toISOString(), query, chains: ranges, files: hashes };
  files[manifestPath] = encoder.encode(JSON.stringify(manifest, null, 2));
  // Stored, not deflated: a changed byte in the file is a changed byte in an entry, which the verifier can name.
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([p, b]) => [p, [b, { level: 0 }]])), { mtime: new Date(manifest.createdAt) });
  return { zip, manifest };
}
