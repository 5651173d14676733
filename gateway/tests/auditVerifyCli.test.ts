/**
 * `audit:verify` verifies a trail that is there and fails loudly on anything else: a missing or relative PGLITE_DIR,
 * a directory that holds no database, a database without the gateway's audit table, a wrong DATABASE_URL, or an
 * empty trail where one is expected (accepted only with --allow-empty). It never creates what it checks.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { runVerifyCommand } from "../src/audit/verifyCommand.ts";
import { permitRecord } from "./auditFixtures.ts";

const gatewayDir = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "ndx-audit-verify-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const decision = permitRecord();

/** The gateway's tables, with `decisions` decisions and, when there are any, one outcome event listing their outcomes. */
async function seed(db: Db, decisions: number): Promise<void> {
  await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  const log = await openAuditLog({ db, outcomeDelayMs: 60_000 });
  const decided = await Promise.all(Array.from({ length: decisions }, () => log.append(decision)));
  for (const d of decided) void log.complete({ decisionId: d.id, traceId: d.traceId, outcome: "ok", reasons: [] });
  await log.flush();
}

/** The real command, as `npm run audit:verify` runs it: another process, the environment as its only input. */
function cli(env: Record<string, string>, ...args: string[]) {
  const { DATABASE_URL: _url, PGLITE_DIR: _dir, ...rest } = process.env;
  const run = spawnSync(process.execPath, ["src/audit/verifyCli.ts", ...args], { cwd: gatewayDir, env: { ...rest, ...env }, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run audit:verify on PGlite", () => {
  const trail = join(work, "trail");
  const empty = join(work, "empty");

  it("says intact with the count for a real trail, and exits 0", async () => {
    const db = await openDb({ dataDir: trail, schema: "gateway" });
    await seed(db, 3);
    await db.close();
    const run = cli({ PGLITE_DIR: trail });
    expect(run.stdout).toBe(`Audit trail intact: 4 events in 1 chain(s) (main: 4) at ${trail}.\n`);
    expect(run.status).toBe(0);
  });

  it("refuses an empty trail unless --allow-empty is given", async () => {
    const db = await openDb({ dataDir: empty, schema: "gateway" });
    await seed(db, 0);
    await db.close();
    const refused = cli({ PGLITE_DIR: empty });
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/EMPTY \(0 events\): nothing was verified.*--allow-empty/);
    const allowed = cli({ PGLITE_DIR: empty }, "--allow-empty");
    expect(allowed.stdout).toMatch(/^Audit trail intact: 0 events/);
    expect(allowed.status).toBe(0);
  });

  it("fails on a PGLITE_DIR that does not exist, and does not create it", () => {
    const missing = join(work, "nowhere", "gateway");
    const run = cli({ PGLITE_DIR: missing });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`no audit database: ${missing} does not exist`);
    expect(existsSync(join(work, "nowhere"))).toBe(false);
  });

  it("refuses a relative PGLITE_DIR, creating nothing where it would have been read", () => {
    const top = resolve(gatewayDir, `.data-${randomUUID()}`);
    try {
      const run = cli({ PGLITE_DIR: `${top.slice(gatewayDir.length + 1)}/gateway` });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/PGLITE_DIR must be an absolute path/);
      expect(existsSync(top)).toBe(false);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });

  it("fails on a directory that holds no database, and leaves it empty", async () => {
    const bare = join(work, "bare");
    mkdirSync(bare);
    const result = await runVerifyCommand({ url: undefined, dataDir: bare });
    expect(result).toMatchObject({ exitCode: 2, stdout: "" });
    expect(result.stderr).toContain(`no PGlite database at ${bare}`);
    expect(readdirSync(bare)).toEqual([]);
  });

  it("fails on another part's database (no gateway schema), and on one without the audit table", async () => {
    const other = join(work, "consent-engine");
    const db = await openDb({ dataDir: other, schema: "consent" });
    await db.close();
    expect((await runVerifyCommand({ url: undefined, dataDir: other })).stderr).toMatch(/has no schema gateway/);
    const bareGateway = join(work, "bare-gateway");
    await (await openDb({ dataDir: bareGateway, schema: "gateway" })).close();
    expect(await runVerifyCommand({ url: undefined, dataDir: bareGateway })).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/no gateway\.audit_event table/) as unknown });
  });

  it("does not migrate a trail whose tables predate it: it says so", async () => {
    const old = join(work, "old");
    const db = await openDb({ dataDir: old, schema: "gateway" });
    await migrate(db, readMigrations(gatewayMigrationsDir).slice(0, 1), "ndx:gateway");
    await db.close();
    const result = await runVerifyCommand({ url: undefined, dataDir: old });
    expect(result).toMatchObject({ exitCode: 2, stdout: "" });
    expect(result.stderr).toMatch(/are at version 1, this verifier reads version \d+: start the gateway once/);
  });

  it("names a DATABASE_URL it cannot reach without printing its password", async () => {
    const result = await runVerifyCommand({ url: "postgres://ndx:s3cret-pw@127.0.0.1:1/gateway", dataDir: join(work, "unused") });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot open the audit database at postgres:\/\/ndx@127\.0\.0\.1:1\/gateway: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain("s3cret-pw");
    expect(existsSync(join(work, "unused"))).toBe(false);
  });
});

for (const backend of testBackends().filter((b) => b.name === "postgres")) {
  describe("npm run audit:verify on PostgreSQL", () => {
    it("says intact for a real trail, refuses an empty one, a database without the gateway schema and one that does not exist", async () => {
      const db = await backend.open("gateway");
      try {
        const url = db.url ?? "";
        await seed(db, 0);
        expect((await runVerifyCommand({ url, dataDir: "unused" })).stderr).toMatch(/EMPTY/);
        await seed(db, 2);
        expect(await runVerifyCommand({ url, dataDir: "unused" })).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^Audit trail intact: 3 events in 1 chain\(s\) \(main: 3\)/) as unknown });
        // A database of its own with another part's schema: the server's `postgres` database may hold anything (a
        // local bench run with --audit-database-url writes the gateway schema there).
        const other = await backend.open("consent");
        try {
          expect((await runVerifyCommand({ url: other.url ?? "", dataDir: "unused" })).stderr).toMatch(/has no schema gateway/);
        } finally {
          await other.close();
        }
        const admin = new URL(url);
        admin.pathname = `/ndx_missing_${randomUUID().slice(0, 8)}`;
        expect((await runVerifyCommand({ url: admin.toString(), dataDir: "unused" })).stderr).toMatch(/does not exist/);
      } finally {
        await db.close();
      }
    });
  });
}
