import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, MigrationError, readMigrations, splitStatements } from "../src/migrate.ts";
import { testBackends } from "../src/testing.ts";
import type { Db } from "../src/db.ts";

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ndx-mig-"));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe("splitStatements", () => {
  it("splits on top-level semicolons only", () => {
    const sql = `CREATE TABLE a (x text DEFAULT ';'); -- a comment; here
      CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RAISE 'no; never'; END $$ LANGUAGE plpgsql;
      /* block; comment */ SELECT 1`;
    const parts = splitStatements(sql);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain("RAISE 'no; never'; END $$");
  });
});

for (const backend of testBackends()) {
  describe(`storage on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    it("applies migrations once, in order, in the part's own schema", async () => {
      db = await backend.open("part_a");
      const dir = migrationsDir({
        "001_init.sql": "CREATE TABLE thing (id int PRIMARY KEY, name text NOT NULL);",
        "002_more.sql": "ALTER TABLE thing ADD COLUMN note text; INSERT INTO thing VALUES (1, 'one', 'n');",
      });
      expect(await migrate(db, readMigrations(dir), "part_a")).toEqual([1, 2]);
      expect(await migrate(db, readMigrations(dir), "part_a")).toEqual([]);
      const rows = await db.query<{ schemaname: string }>(
        "SELECT schemaname FROM pg_tables WHERE tablename = 'thing'",
      );
      expect(rows.rows).toEqual([{ schemaname: "part_a" }]);
      expect((await db.query("SELECT * FROM thing")).rows).toEqual([{ id: 1, name: "one", note: "n" }]);
    });

    it("refuses an applied migration that was edited", async () => {
      db = await backend.open("part_b");
      await migrate(db, readMigrations(migrationsDir({ "001_init.sql": "CREATE TABLE t (id int);" })), "b");
      const edited = readMigrations(migrationsDir({ "001_init.sql": "CREATE TABLE t (id bigint);" }));
      await expect(migrate(db, edited, "b")).rejects.toBeInstanceOf(MigrationError);
    });

    it("rolls back a failing migration whole", async () => {
      db = await backend.open("part_c");
      const dir = migrationsDir({ "001_bad.sql": "CREATE TABLE ok (id int); SELECT * FROM missing_table;" });
      await expect(migrate(db, readMigrations(dir), "c")).rejects.toThrow();
      const rows = await db.query("SELECT 1 FROM pg_tables WHERE tablename IN ('ok', 'schema_migrations')");
      expect(rows.rows).toHaveLength(0);
    });

    it("commits or rolls back a transaction as a unit", async () => {
      db = await backend.open("part_d");
      await db.exec("CREATE TABLE n (v int)");
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO n VALUES ($1)", [1]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO n VALUES ($1)", [2]);
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect((await db.query<{ v: number }>("SELECT v FROM n")).rows).toEqual([{ v: 1 }]);
    });

    it("reads with a prepared statement the same rows as query(), value for value and type for type", async () => {
      db = await backend.open("part_s");
      await db.exec(
        "CREATE TABLE s (id int PRIMARY KEY, t text, n bigint, i int, r real, num numeric, b boolean, d date, at timestamptz, " +
          "tags text[], nums int[], doc jsonb, raw bytea, u uuid, v varchar(20))",
      );
      const at = new Date("2026-11-24T03:04:05.678Z");
      await db.query("INSERT INTO s VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", [
        1, 'a"b\\c ünï', "9007199254740993", -7, 1.5, "12.340", true, "2014-05-09", at, ['x"y', "", "NULL"], [1, 2], JSON.stringify({ k: [1, "v"] }), Uint8Array.of(0, 255), "0b9f8a6e-7c1d-4e2f-9a3b-5c6d7e8f9a0b", "short",
      ]);
      const sql = `SELECT id, t, n, i, r, num, b, d, to_char(d, 'YYYY-MM-DD') AS "dayText", at, tags, nums, doc, raw, u, v FROM s WHERE id = ANY($1::int[]) ORDER BY id`;
      const expected = await db.query(sql, [[1, 2]]);
      const first = await db.selectPrepared("s_by_ids", sql, [[1, 2]]);
      expect(first.rows).toEqual(expected.rows);
      expect(first.rowCount).toBe(2);
      // Again, bound only, with other parameters; an unknown id is no row.
      expect((await db.selectPrepared("s_by_ids", sql, [[2, 99]])).rows).toEqual(expected.rows.slice(1));
      expect((await db.selectPrepared("s_by_ids", sql, [[]])).rows).toEqual([]);
      // A name already prepared as another statement, and a statement the server refuses, are errors that name it.
      await expect(db.selectPrepared("s_by_ids", "SELECT 1", [])).rejects.toThrow(/already another statement/);
      await expect(db.selectPrepared("s_bad", "SELECT nope FROM s WHERE id = $1", [1])).rejects.toMatchObject({ code: "42703" });
      await expect(db.selectPrepared("s_by_ids", sql, [["one"]])).rejects.toMatchObject({ code: "22P02" });
      // After an error the connection still answers.
      expect((await db.selectPrepared("s_by_ids", sql, [[1]])).rows).toEqual(expected.rows.slice(0, 1));
    });

    it("runs a prepared statement again and again, with every kind of parameter kept exactly", async () => {
      db = await backend.open("part_e");
      await db.exec(
        "CREATE TABLE p (id int PRIMARY KEY, t text, n bigint, b boolean, at timestamptz, tags text[], doc jsonb, raw bytea)",
      );
      const sql = "INSERT INTO p (id, t, n, b, at, tags, doc, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $10, $11, $12, $13, $14, $15, $16)";
      const awkward = ['a"b', "c\\d", "e,f", "{g}", "NULL", "", " h ", "ünï", "x'); DROP TABLE p; --"];
      const at = new Date("2026-11-24T03:04:05.678Z");
      const first = await db.runPrepared("p_insert", sql, [1, "it's", 9007199254740991, true, at, awkward, JSON.stringify({ k: ["v", 1] }), Uint8Array.of(0, 255),
        2, null, null, false, null, [], null, null]);
      expect(first.rowCount).toBe(2);
      const again = await db.runPrepared("p_insert", sql, [3, "three", 3, false, at.toISOString(), ["one"], "[]", null, 4, "four", 4, true, at, [null, "x"], "{}", null]);
      expect(again.rowCount).toBe(2);
      const rows = (await db.query<Record<string, unknown>>("SELECT id, t, n::text AS n, b, at, tags, doc, raw FROM p ORDER BY id")).rows;
      expect(rows.map((r) => r["id"])).toEqual([1, 2, 3, 4]);
      expect(rows[0]).toMatchObject({ t: "it's", n: "9007199254740991", b: true, tags: awkward, doc: { k: ["v", 1] } });
      expect(new Date(rows[0]?.["at"] as Date).toISOString()).toBe(at.toISOString());
      expect(Buffer.from(rows[0]?.["raw"] as Uint8Array).toString("hex")).toBe("00ff");
      expect(rows[1]).toMatchObject({ t: null, n: null, b: false, at: null, tags: [], doc: null, raw: null });
      expect(rows[3]?.["tags"]).toEqual([null, "x"]);
      expect(rows.filter((r) => r["id"] === 3)).toHaveLength(1);
    });

    it("reports a refused prepared statement with its SQLSTATE, stores nothing of it, and goes on working", async () => {
      db = await backend.open("part_f");
      await db.exec("CREATE TABLE u (id int PRIMARY KEY)");
      const sql = "INSERT INTO u (id) VALUES ($1), ($2)";
      await db.runPrepared("u_insert", sql, [1, 2]);
      await expect(db.runPrepared("u_insert", sql, [3, 1])).rejects.toMatchObject({ code: "23505" });
      await expect(db.runPrepared("u_insert", sql, ["three", 4])).rejects.toMatchObject({ code: "22P02" });
      await expect(db.runPrepared("u_bad", "INSERT INTO missing (id) VALUES ($1)", [1])).rejects.toMatchObject({ code: "42P01" });
      expect((await db.runPrepared("u_insert", sql, [3, 4])).rowCount).toBe(2);
      expect((await db.query<{ id: number }>("SELECT id FROM u ORDER BY id")).rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    });

    it("never runs a prepared statement inside someone else's open transaction", async () => {
      db = await backend.open("part_g");
      await db.exec("CREATE TABLE w (v int)");
      const open = db;
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const tx = open.transaction(async (t) => {
        await t.query("INSERT INTO w VALUES ($1)", [1]);
        await held;
        throw new Error("rolled back");
      });
      await new Promise((r) => setTimeout(r, 20));
      const outside = open.runPrepared("w_insert", "INSERT INTO w VALUES ($1)", [2]);
      release();
      await expect(tx).rejects.toThrow("rolled back");
      await outside;
      expect((await open.query<{ v: number }>("SELECT v FROM w")).rows).toEqual([{ v: 2 }]);
    });
  });
}

describe("a PostgreSQL server that does not answer", () => {
  it("fails a connection that is accepted but never answered, instead of waiting for ever", async () => {
    const { createServer } = await import("node:net");
    const held: import("node:net").Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as import("node:net").AddressInfo).port;
    const { openDb } = await import("../src/db.ts");
    const started = performance.now();
    try {
      await expect(openDb({ url: `postgres://ndx@127.0.0.1:${port}/ndx`, schema: "t", connectTimeoutMs: 300 })).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  const adminUrl = process.env["TEST_DATABASE_URL"];
  it.runIf(adminUrl !== undefined && adminUrl !== "")("fails a statement the server holds past the query timeout, and goes on working", async () => {
    const { openDb } = await import("../src/db.ts");
    const db = await openDb({ url: adminUrl, schema: "public", queryTimeoutMs: 300, poolSize: 1 });
    try {
      await expect(db.query("SELECT pg_sleep(3)")).rejects.toThrow(/timeout/i);
      expect((await db.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
