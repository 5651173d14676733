/**
 * What `npm run audit:verify` does, as a function: opens the gateway's existing audit database (never creating one),
 * walks every chain, and answers with an exit code and the lines to print. 0: intact; 1: a broken link (named);
 * 2: nothing could be verified — no database where configured, no audit table in it, or an empty trail where one
 * is expected (accepted only with `allowEmpty`).
 */
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { openDb, readMigrations, type Db } from "@ndx/platform";
import { listArchives } from "../evidence/archiveRecords.ts";
import type { ArchiveStore } from "../evidence/archiveStore.ts";
import { verifyArchives, type ArchiveReport } from "../evidence/archiveVerify.ts";
import { describeCheckpoints, verifyCheckpoints, type CheckpointVerifyOptions } from "../evidence/checkpointVerify.ts";
import type { PackageTrust } from "../evidence/packageVerify.ts";
import { verifyAuditTrail } from "./auditVerify.ts";
import { gatewayMigrationsDir } from "./migrations.ts";

export interface VerifyCommandOptions {
  /** The gateway's DATABASE_URL; when set, the trail is read there. @default undefined: PGlite in `dataDir` */
  readonly url: string | undefined;
  /** The gateway's PGLITE_DIR: an absolute path to an existing PGlite database. */
  readonly dataDir: string;
  /** Accept a trail without events (a gateway that has served nothing yet). @default false */
  readonly allowEmpty?: boolean;
  /** For the message about a relative PGLITE_DIR. @default process.cwd() */
  readonly cwd?: string;
  /** Verify the chains against their signed, time-stamped checkpoints too (evidence/checkpointVerify.ts). @default not */
  readonly checkpoints?: CheckpointVerifyOptions | undefined;
  /** The archive store and what its packages are verified with; the hot chains continue from its last events. @default none: a trail with archives cannot be verified */
  readonly archive?: { readonly store: ArchiveStore; readonly trust: PackageTrust } | undefined;
}

export interface VerifyCommandResult {
  readonly exitCode: 0 | 1 | 2;
  /** The verdict (intact or broken). */
  readonly stdout: string;
  /** Why nothing could be verified. */
  readonly stderr: string;
}

/** A database URL without its password or query, to name where the command looked. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username === "" ? "" : `${decodeURIComponent(u.username)}@`}${u.host}${u.pathname}`;
  } catch {
    return "DATABASE_URL (not a valid URL)";
  }
}

const cannot = (message: string): VerifyCommandResult => ({ exitCode: 2, stdout: "", stderr: `audit:verify: ${message}\n` });

export async function runVerifyCommand(options: VerifyCommandOptions): Promise<VerifyCommandResult> {
  const { url, dataDir } = options;
  const where = url === undefined ? dataDir : describeUrl(url);
  if (url === undefined) {
    if (!isAbsolute(dataDir)) {
      return cannot(`PGLITE_DIR must be an absolute path: "${dataDir}" would be read relative to ${options.cwd ?? process.cwd()}, not where the gateway keeps its data.`);
    }
    if (!existsSync(dataDir)) return cannot(`no audit database: ${dataDir} does not exist. Set PGLITE_DIR to the gateway's data directory, or DATABASE_URL.`);
  }
  let db: Db;
  try {
    db = await openDb({ url, dataDir, schema: "gateway", existing: true, poolSize: 1 });
  } catch (error) {
    return cannot(`cannot open the audit database at ${where}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  try {
    const table = await db.query<{ t: string | null }>("SELECT to_regclass('audit_event')::text AS t");
    if (table.rows[0]?.t === null || table.rows[0]?.t === undefined) {
      return cannot(`no audit trail at ${where}: it has no gateway.audit_event table (is this the gateway's database?).`);
    }
    // Read-only: a trail whose tables predate this verifier is not migrated here (the gateway does that at start).
    const latest = readMigrations(gatewayMigrationsDir).at(-1)?.version ?? 0;
    const applied = await db.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations").catch(() => ({ rows: [{ v: null }] }));
    const version = applied.rows[0]?.v ?? 0;
    if (version < latest) {
      return cannot(`the audit tables at ${where} are at version ${version}, this verifier reads version ${latest}: start the gateway once (it migrates them), then verify.`);
    }
    const records = await listArchives(db);
    let archived: ArchiveReport | undefined;
    if (records.length > 0) {
      if (options.archive === undefined) return cannot(`the audit trail at ${where} has archived events, and no archive was given to verify them.`);
      archived = await verifyArchives(records, options.archive.store, options.archive.trust);
      const b = archived.broken;
      if (b !== undefined) return { exitCode: 1, stdout: `Audit archive FAILED: chain ${b.chain}, events ${b.fromSeq} to ${b.toSeq}: ${b.reason}.\n`, stderr: "" };
    }
    const anchors = archived?.anchors ?? {};
    const report = await verifyAuditTrail(db, 1000, anchors);
    const chains = Object.entries(report.chains);
    const total = chains.reduce((n, [, c]) => n + c, 0);
    if (!report.ok) {
      const b = report.broken;
      return { exitCode: 1, stdout: `Audit trail BROKEN at chain ${b?.chain}, event ${b?.seq} (id ${b?.id}): ${b?.reason}.\n`, stderr: "" };
    }
    if (total === 0 && options.allowEmpty !== true) {
      return cannot(
        `the audit trail at ${where} is EMPTY (0 events): nothing was verified. A gateway that has served requests has ` +
          "events here; check DATABASE_URL / PGLITE_DIR. If an empty trail is expected, pass --allow-empty.",
      );
    }
    const checked = options.checkpoints === undefined ? undefined : describeCheckpoints(await verifyCheckpoints(db, options.checkpoints, anchors), report.chains);
    if (checked?.ok === false) return { exitCode: 1, stdout: checked.stdout, stderr: "" };
    const list = chains.length > 0 ? ` (${chains.map(([n, c]) => `${n}: ${c}`).join(", ")})` : "";
    const intact = `Audit trail intact: ${total} events in ${chains.length} chain(s)${list} at ${where}.\n`;
    const archive =
      archived === undefined
        ? ""
        : `Archive verified: ${archived.packages} package(s) in ${options.archive?.store.where} (${Object.entries(archived.anchors).map(([n, a]) => `${n}: events 1 to ${a.seq}`).join(", ")}); the hot chains continue from their last events.\n`;
    const pending = Object.entries(archived?.pendingRemoval ?? {}).map(([n, c]) => `${n}: ${c}`);
    const pendingWarning = pending.length === 0 ? "" : `audit:verify: warning: archived events still in the hot table (${pending.join(", ")}): an interrupted archive, finished at its next run.\n`;
    return { exitCode: 0, stdout: intact + archive + (checked?.stdout ?? ""), stderr: pendingWarning + (checked?.stderr ?? "") };
  } catch (error) {
    return cannot(`could not read the audit trail at ${where}: ${error instanceof Error ? error.message : String(error)}.`);
  } finally {
    await db.close();
  }
}
