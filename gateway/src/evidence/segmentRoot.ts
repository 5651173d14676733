/**
 * A checkpoint's commitment to every event of its segment (the events after the previous checkpoint up to its own):
 * the SHA-256 of their hashes in sequence. Signed into the checkpoint, it lets a package carry other citizens' events
 * as their hashes only — a hash cannot be replaced, moved or left out without changing the signed root — so a
 * citizen's package shows their own events in full and nothing of anyone else's (citizenPackage*.ts).
 */
import { createHash } from "node:crypto";

export interface CheckpointSegment {
  /** The first event of the segment; the last is the checkpoint's own `seq`. */
  readonly from: number;
  /** `segmentRoot` of the segment's event hashes. */
  readonly root: string;
}

export function segmentRoot(hashes: readonly string[]): string {
  return createHash("sha256").update(`ndx-audit-segment/1\n${hashes.join("\n")}`).digest("hex");
}
