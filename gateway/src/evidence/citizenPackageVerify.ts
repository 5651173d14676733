/**
 * Verifies one chain of a citizen's package (citizenPackage.ts), from its bytes alone: each of the citizen's events
 * recomputed from its content and found at its place in the range's hash list, linked to the hash before it; every
 * checkpoint's signature and time-stamp; each checkpoint's signed head equal to the list's hash at its sequence and
 * its signed segment root equal to the root of the list's hashes of its segment, the segments contiguous over the
 * whole range — so no hash of the list can be changed, moved or left out. Answers the first problem, or the counts.
 */
import type * as pkijs from "pkijs";
import type { JsonWebKeySet } from "@ndx/platform";
import { chainHash, genesisHash, type ChainedEvent } from "../audit/auditEvent.ts";
import { verifyCheckpoint } from "./checkpointSigner.ts";
import type { StoredCheckpoint } from "./checkpointStore.ts";
import { checkpointProblem } from "./checkpointVerify.ts";
import type { ChainRange } from "./packageFormat.ts";
import { segmentRoot } from "./segmentRoot.ts";

export type ChainVerdict = { readonly problem: string } | { readonly events: number; readonly checkpoints: number; readonly stamped: number };

export async function verifyCitizenChain(
  chain: string,
  range: ChainRange,
  content: { readonly events: readonly ChainedEvent[]; readonly hashes: readonly string[]; readonly checkpoints: readonly StoredCheckpoint[] },
  trust: { readonly jwks: JsonWebKeySet; readonly trusted: readonly pkijs.Certificate[] | undefined },
): Promise<ChainVerdict> {
  const { events, hashes, checkpoints } = content;
  const at = (seq: number) => hashes[seq - range.fromSeq];
  if (hashes.length !== range.toSeq - range.fromSeq + 1) return { problem: `chain ${chain}: ${hashes.length} hashes where the manifest says events ${range.fromSeq} to ${range.toSeq}` };
  const anchor = checkpoints.find((c) => c.seq === range.fromSeq - 1);
  const before = range.fromSeq === 1 ? genesisHash : anchor?.hash;
  if (before === undefined) return { problem: `chain ${chain}: no checkpoint before event ${range.fromSeq} to start from` };
  for (const event of events) {
    const name = `chain ${chain}, event ${event.seq} (id ${event.id})`;
    if (event.chain !== chain || event.seq < range.fromSeq || event.seq > range.toSeq) return { problem: `${name}: out of place` };
    const { chain: _c, seq: _s, prevHash, hash, ...rest } = event;
    if (chainHash(chain, event.seq, prevHash, rest) !== hash) return { problem: `${name}: its content does not match its hash` };
    if (at(event.seq) !== hash) return { problem: `${name}: its hash is not the one the range lists at its place` };
    if (prevHash !== (event.seq === range.fromSeq ? before : at(event.seq - 1))) return { problem: `${name}: its previous-hash does not match the event before it` };
  }
  let next = range.fromSeq;
  let stamped = 0;
  for (const c of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
    const name = `chain ${chain}, checkpoint at event ${c.seq} (signed ${c.at})`;
    const problem = await checkpointProblem(c, c.seq === range.fromSeq - 1 ? c.hash : at(c.seq), trust);
    if (problem !== undefined) return { problem: `${name}: ${problem}` };
    stamped += c.tst === null ? 0 : 1;
    if (c.seq < range.fromSeq) continue;
    const signed = await verifyCheckpoint(c.jws, trust.jwks);
    const segment = signed.ok ? signed.claims.segment : undefined;
    if (segment === undefined) return { problem: `${name}: it signs no segment root` };
    if (segment.from !== next) return { problem: `${name}: its segment starts at event ${segment.from}, not ${next}` };
    if (segmentRoot(hashes.slice(segment.from - range.fromSeq, c.seq - range.fromSeq + 1)) !== segment.root) {
      return { problem: `${name}: the hashes of events ${segment.from} to ${c.seq} do not match its signed segment root` };
    }
    next = c.seq + 1;
  }
  if (next !== range.toSeq + 1) return { problem: `chain ${chain}: no signed segment covers events ${next} to ${range.toSeq}` };
  const late = range.selected.filter((s) => !events.some((e) => e.seq === s));
  if (late.length > 0) return { problem: `chain ${chain}, event ${late[0]}: selected but not in the package` };
  return { events: events.length, checkpoints: checkpoints.length, stamped };
}
