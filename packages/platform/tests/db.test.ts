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
  });
}
