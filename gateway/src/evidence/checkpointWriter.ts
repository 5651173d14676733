/**
 * Signs and time-stamps the head of this replica's audit chain on a timer (AUDIT_CHECKPOINT_INTERVAL_MS) and once
 * more at shutdown, after the audit log is flushed. Off the request path: one head read per tick, and nothing when no
 * event was written since the last checkpoint; when there is, the new events' hashes are read for the segment root. Checkpoints the TSA did not answer for stay unstamped and are stamped,
 * oldest first, at the next ticks (a later time-stamp still proves they existed then). Each tick that leaves every
 * written event in a time-stamped checkpoint tells the evidence health, which refuses personal data when that has
 * not happened for too long.
 */
import type { Db, GatewaySigningKey, Logger } from "@ndx/platform";
import { readHead } from "../audit/auditInsert.ts";
import { checkpointDigest, signCheckpoint } from "./checkpointSigner.ts";
import { segmentRoot } from "./segmentRoot.ts";
import { addTimeStamp, insertCheckpoint, lastCheckpoint, unstampedCheckpoints } from "./checkpointStore.ts";
import type { EvidenceHealth } from "./evidenceHealth.ts";
import type { TimeStamper } from "./tsaClient.ts";

export type CheckpointEvent = "signed" | "time_stamped" | "time_stamp_failed";

export interface CheckpointWriterOptions {
  readonly db: Db;
  /** This replica's chain. */
  readonly chain: string;
  readonly key: GatewaySigningKey;
  /** @default 60000 */
  readonly intervalMs?: number;
  /** The TSA. @default undefined: checkpoints are signed, not time-stamped (development only) */
  readonly stamper?: TimeStamper | undefined;
  /** The policy revision in force, signed into each checkpoint. */
  readonly policyRevision: () => string | null;
  readonly evidence?: EvidenceHealth | undefined;
  readonly logger?: Logger | undefined;
  /** Told of each checkpoint signed and each time-stamp got or missed (metrics). */
  readonly onEvent?: ((event: CheckpointEvent) => void) | undefined;
  /** Wall clock, ms. @default Date.now */
  readonly now?: () => number;
  /** Least time between two warnings about a TSA that does not answer. @default 60000 */
  readonly warnEveryMs?: number;
}

export interface CheckpointWriter {
  /** One round: checkpoint the head if it moved, stamp what is unstamped. Rounds never overlap. */
  tick(): Promise<void>;
  /** Stops the timer and runs a last round (call after the audit log's flush). */
  close(): Promise<void>;
}

const batch = 20;

export function startCheckpointWriter(options: CheckpointWriterOptions): CheckpointWriter {
  const { db, chain, key, stamper, logger } = options;
  const now = options.now ?? Date.now;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  let last: { seq: number } | undefined;
  let lastWarn = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let closed = false;

  const round = async (): Promise<void> => {
    const readAt = now();
    last ??= (await lastCheckpoint(db, chain)) ?? { seq: 0 };
    const head = await readHead(db, chain);
    if (head.seq > last.seq) {
      // The segment's root commits to every event hash since the last checkpoint (citizens' packages rely on it).
      const hashes = await db.query<{ hash: string }>("SELECT hash FROM audit_event WHERE chain = $1 AND seq > $2 AND seq <= $3 ORDER BY seq", [chain, last.seq, head.seq]);
      const whole = hashes.rows.length === head.seq - last.seq;
      const claims = {
        chain,
        seq: head.seq,
        hash: head.hash,
        at: new Date(readAt).toISOString(),
        policyRevision: options.policyRevision(),
        ...(whole ? { segment: { from: last.seq + 1, root: segmentRoot(hashes.rows.map((r) => r.hash)) } } : {}),
      };
      const jws = await signCheckpoint(key, claims);
      await insertCheckpoint(db, { chain, seq: claims.seq, hash: claims.hash, at: claims.at, policyRevision: claims.policyRevision, kid: key.kid, jws });
      last = { seq: head.seq };
      options.onEvent?.("signed");
    }
    if (stamper === undefined) return;
    const unstamped = await unstampedCheckpoints(db, chain, batch);
    for (const checkpoint of unstamped) {
      let stamped;
      try {
        stamped = await stamper.stamp(await checkpointDigest(checkpoint.jws));
      } catch (error) {
        options.onEvent?.("time_stamp_failed");
        if (now() - lastWarn >= warnEveryMs) {
          lastWarn = now();
          logger?.warn({ chain, seq: checkpoint.seq, reason: error instanceof Error ? error.message : String(error) }, "audit checkpoint not time-stamped; retried at the next checkpoint");
        }
        return;
      }
      await addTimeStamp(db, chain, checkpoint.seq, Buffer.from(stamped.token).toString("base64"), stamped.info.genTime.toISOString());
      options.onEvent?.("time_stamped");
    }
    if (unstamped.length < batch) options.evidence?.covered(readAt);
  };

  const tick = (): Promise<void> => {
    running ??= round()
      .catch((error: unknown) => logger?.error({ err: error, chain }, "audit checkpoint failed; retried at the next one"))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 60_000);
  timer.unref();
  void tick();

  return {
    tick,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running;
      await tick();
    },
  };
}
