/**
 * Verifies the audit chains against their signed, time-stamped checkpoints (after the chains verified on their own):
 * each checkpoint's JWS against the checkpoint JWKS, its row against what it signs, its time-stamp token against the
 * trusted TSA CA and the JWS's digest, and — what a rebuilt chain cannot survive — that the event at the checkpointed
 * sequence still has the signed hash. Names the first checkpoint that fails.
 */
import type { JsonWebKeySet, Queryable } from "@ndx/platform";
import type * as pkijs from "pkijs";
import { verifyCheckpoint } from "./checkpointSigner.ts";
import { listCheckpoints, type StoredCheckpoint } from "./checkpointStore.ts";
import { verifyTimeStampToken } from "./timeStampToken.ts";

export interface CheckpointCoverage {
  readonly checkpoints: number;
  readonly stamped: number;
  /** The highest checkpointed sequence number, 0 for none. */
  readonly lastSeq: number;
  /** The genTime of the latest time-stamp, if any. */
  readonly lastStampedAt?: string;
}

export interface CheckpointReport {
  readonly ok: boolean;
  readonly chains: Record<string, CheckpointCoverage>;
  readonly broken?: { readonly chain: string; readonly seq: number; readonly at: string; readonly reason: string };
}

export interface CheckpointVerifyOptions {
  readonly jwks: JsonWebKeySet;
  /** The trusted TSA CA certificates; undefined: tokens cannot be verified (a failure when there are any). */
  readonly trusted: readonly pkijs.Certificate[] | undefined;
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;

/** Checks one stored checkpoint against its signature, its token and the event it names; the reason it fails, or undefined. */
export async function checkpointProblem(
  c: StoredCheckpoint,
  eventHash: string | undefined,
  options: CheckpointVerifyOptions,
): Promise<string | undefined> {
  const signed = await verifyCheckpoint(c.jws, options.jwks);
  if (!signed.ok) return signed.reason;
  const { claims } = signed;
  if (claims.chain !== c.chain || claims.seq !== c.seq || claims.hash !== c.hash || claims.at !== c.at) {
    return "its stored columns differ from what it signs";
  }
  if (eventHash === undefined) return `the chain no longer has event ${c.seq}, which it signs`;
  if (eventHash !== claims.hash) {
    return `it no longer matches the chain: event ${c.seq} has hash ${short(eventHash)}, the signed checkpoint says ${short(claims.hash)}`;
  }
  if (c.tst !== null) {
    if (options.trusted === undefined) return "it has a time-stamp token but no TSA CA was given to verify it (AUDIT_TSA_CA_FILE)";
    const token = await verifyTimeStampToken(new Uint8Array(Buffer.from(c.tst, "base64")), new TextEncoder().encode(c.jws), options.trusted);
    if (!token.ok) return token.reason;
  }
  return undefined;
}

/**
 * Checks every checkpoint against the hot table; one at or before a chain's archive anchor is checked against the
 * anchor's hash when it is the anchor, and otherwise is in an archived package, verified with it (archiveVerify.ts).
 */
export async function verifyCheckpoints(
  db: Queryable,
  options: CheckpointVerifyOptions,
  anchors: Readonly<Record<string, { readonly seq: number; readonly hash: string }>> = {},
): Promise<CheckpointReport> {
  const chains: Record<string, CheckpointCoverage> = {};
  for (const c of await listCheckpoints(db)) {
    const anchor = anchors[c.chain];
    let reason: string | undefined;
    if (anchor !== undefined && c.seq < anchor.seq) reason = undefined;
    else if (anchor !== undefined && c.seq === anchor.seq) reason = await checkpointProblem(c, anchor.hash, options);
    else {
      const event = await db.query<{ hash: string }>("SELECT hash FROM audit_event WHERE chain = $1 AND seq = $2", [c.chain, c.seq]);
      reason = await checkpointProblem(c, event.rows[0]?.hash, options);
    }
    if (reason !== undefined) return { ok: false, chains, broken: { chain: c.chain, seq: c.seq, at: c.at, reason } };
    const before = chains[c.chain] ?? { checkpoints: 0, stamped: 0, lastSeq: 0 };
    chains[c.chain] = {
      checkpoints: before.checkpoints + 1,
      stamped: before.stamped + (c.tst === null ? 0 : 1),
      lastSeq: c.seq,
      ...(c.tstAt === null ? (before.lastStampedAt === undefined ? {} : { lastStampedAt: before.lastStampedAt }) : { lastStampedAt: c.tstAt }),
    };
  }
  return { ok: true, chains };
}

/** The lines `audit:verify` prints for a checkpoint report, given each chain's length. */
export function describeCheckpoints(report: CheckpointReport, lengths: Readonly<Record<string, number>>): { ok: boolean; stdout: string; stderr: string } {
  if (!report.ok && report.broken !== undefined) {
    const b = report.broken;
    return { ok: false, stdout: `Audit checkpoint FAILED: chain ${b.chain}, checkpoint at event ${b.seq} (signed ${b.at}): ${b.reason}.\n`, stderr: "" };
  }
  const names = Object.keys(lengths);
  const unchecked = names.filter((n) => (lengths[n] ?? 0) > 0 && report.chains[n] === undefined);
  const parts = Object.entries(report.chains).map(([name, c]) => {
    const after = (lengths[name] ?? 0) - c.lastSeq;
    const stamped = c.lastStampedAt === undefined ? "none time-stamped" : `${c.stamped} time-stamped, the last at ${c.lastStampedAt}`;
    return `${name}: ${c.checkpoints} checkpoint(s) to event ${c.lastSeq}, ${stamped}${after > 0 ? `; ${after} later event(s) not yet checkpointed` : ""}`;
  });
  const total = Object.values(report.chains).reduce((n, c) => n + c.checkpoints, 0);
  const stdout = total === 0 ? "" : `Checkpoints verified: ${total} signed (${parts.join("; ")}).\n`;
  const stderr =
    unchecked.length === 0
      ? ""
      : `audit:verify: warning: no signed checkpoint covers chain(s) ${unchecked.join(", ")}: they are verified against themselves only, which does not detect a rebuilt chain (docs/evidence.md).\n`;
  return { ok: true, stdout, stderr };
}
