/**
 * The gateway's PGlite in a worker thread (src/database/): the same `Db` as in process — statements, prepared
 * INSERTs, transactions, errors with their SQLSTATE — with the statements run off the thread that serves requests;
 * the audit log on it fails closed when the worker is gone, and a decision whose append resolved survives kill -9.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations, type Db } from "@ndx/platform";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { openGatewayDb } from "../src/database/gatewayDb.ts";
import { openWorkerDb } from "../src/database/workerDb.ts";
import { permitRecord } from "./auditFixtures.ts";

const work = mkdtempSync(join(tmpdir(), "ndx-worker-db-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(work, `db-${(dirs += 1)}`);

const openOnDisk = (dir = freshDir()) => openGatewayDb({ DATABASE_URL: undefined, PGLITE_DIR: dir, PGLITE_WORKER: true });

/** How many times the event loop turns while `work` runs: a thread blocked by it turns a handful of times at most. */
async function turnsDuring(work: Promise<unknown>): Promise<number> {
  let done = false;
  let turns = 0;
  void work.finally(() => (done = true));
  while (!done) {
    turns += 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return turns;
}

describe("the gateway's PGlite in a worker thread", () => {
  // Creating a database (initdb) is the slow part: the statement tests share one, each with its own tables.
  let shared: Db | undefined;
  const openShared = async () => (shared ??= await openOnDisk());
  afterAll(() => shared?.close());

  it("runs statements off the gateway's thread: the event loop keeps turning while one executes", async () => {
    const db = await openShared();
    // 300 ms of a statement: in process PGlite holds the thread for all of it.
    const turns = await turnsDuring(db.query("SELECT pg_sleep(0.3)"));
    expect(turns).toBeGreaterThan(100);
  }, 180_000);

  it("answers queries, prepared statements and scripts, with PGlite's values (dates, arrays, jsonb) intact", async () => {
    const db = await openShared();
    await db.exec("CREATE TABLE t (id int PRIMARY KEY, at timestamptz, tags text[], doc jsonb); CREATE TABLE u (n int)");
    const at = new Date("2026-12-06T12:00:00.123Z");
    expect(await db.runPrepared("t_insert", "INSERT INTO t VALUES ($1, $2, $3, $4)", [1, at.toISOString(), ["a", "b"], JSON.stringify({ x: [1] })])).toEqual({ rowCount: 1 });
    await db.runPrepared("t_insert", "INSERT INTO t VALUES ($1, $2, $3, $4)", [2, at.toISOString(), [], "{}"]);
    const { rows } = await db.query<{ id: number; at: Date; tags: string[]; doc: unknown }>("SELECT * FROM t ORDER BY id");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ id: 1, at, tags: ["a", "b"], doc: { x: [1] } });
    const prepared = await db.selectPrepared("t_select", "SELECT * FROM t WHERE id = ANY($1::int[]) ORDER BY id", [[1, 2]]);
    expect(prepared.rows).toEqual(rows);
    await expect(db.runPrepared("t_insert", "INSERT INTO u VALUES ($1)", [1])).rejects.toThrow(/already another statement/);
  });

  it("commits a transaction's statements together, and rolls them all back when its function throws", async () => {
    const db = await openShared();
    await db.exec("CREATE TABLE n (v int)");
    expect(await db.transaction(async (tx) => (await tx.query("INSERT INTO n VALUES (1), (2)")).rowCount)).toBe(2);
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO n VALUES (3)");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await expect(db.transaction((tx) => tx.query("INSERT INTO n VALUES ('x')"))).rejects.toMatchObject({ code: "22P02" });
    expect((await db.query<{ v: number }>("SELECT v FROM n ORDER BY v")).rows).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it("hands errors back with their SQLSTATE and message, without the worker's stack", async () => {
    const db = await openShared();
    await db.exec("CREATE TABLE k (id int PRIMARY KEY)");
    await db.query("INSERT INTO k VALUES (1)");
    const error: unknown = await db.query("INSERT INTO k VALUES (1)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505", message: expect.stringMatching(/duplicate key/) as unknown });
    expect((error as Error).stack).not.toMatch(/wasm|pglite|dbWorker/);
  });

  it("fails at open, with the reason, when the database cannot be opened", async () => {
    await expect(openWorkerDb({ dataDir: "/dev/null/gateway", schema: "gateway" })).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("the audit log on it chains and stores; once the worker is gone every append is refused and the log turns unhealthy", async () => {
    const db: Db = await openOnDisk();
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const clock = { t: 0 };
    const log = await openAuditLog({ db, failureGraceMs: 1000, retryMinMs: 5, now: () => clock.t });
    const stored = await Promise.all([1, 2, 3].map((i) => log.append(permitRecord(`19901234560${i}`))));
    expect(stored.map((e) => e.seq).sort()).toEqual([1, 2, 3]);
    expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 3 } });
    await db.close();
    await expect(log.append(permitRecord("199012345604"))).rejects.toMatchObject({ name: "AuditWriteError", message: expect.stringMatching(/database worker/) as unknown });
    clock.t = 1001;
    expect(log.healthy).toBe(false);
  }, 180_000);

  it("a decision whose append resolved is in the trail after the process is killed with SIGKILL", async () => {
    const dir = freshDir();
    const child = spawn(process.execPath, [join(import.meta.dirname, "workerDbChild.ts"), dir], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const lastStored = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", () => resolve(Math.max(...[...out.matchAll(/stored (\d+)/g)].map((m) => Number(m[1])))));
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        // Killed in the middle of its writes, once a few dozen are stored.
        if (/stored 40\n/.test(out)) child.kill("SIGKILL");
      });
    });
    expect(lastStored).toBeGreaterThanOrEqual(40);
    const db = await openOnDisk(dir);
    const report = await verifyAuditTrail(db);
    expect(report.ok).toBe(true);
    expect(report.chains["main"]).toBeGreaterThanOrEqual(lastStored);
    await db.close();
    // Creating the databases (initdb) takes most of it, and long on a busy machine.
  }, 240_000);
});
