import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { openDb } from "../src/db.ts";
import { createPgliteDatabase, holdsDatabase } from "../src/pgliteCreate.ts";

const freshDir = () => join(mkdtempSync(join(tmpdir(), "ndx-create-")), "data");

describe("a PGlite database on disk, created in a child process", () => {
  it("is created on the first open and found again on the next, with what was written", async () => {
    const dataDir = freshDir();
    expect(holdsDatabase(dataDir)).toBe(false);
    const first = await openDb({ dataDir, schema: "part_a" });
    await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('written before closing');");
    await first.close();
    expect(holdsDatabase(dataDir)).toBe(true);

    const again = await openDb({ dataDir, schema: "part_a", existing: true });
    expect((await again.query<{ v: string }>("SELECT v FROM kept")).rows).toEqual([{ v: "written before closing" }]);
    await again.close();
  });

  it("fails with the child's reason, naming the directory, when the directory cannot hold a database", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ndx-create-")), "a-file");
    writeFileSync(file, "not a directory");
    const error = await createPgliteDatabase(file, PGlite.defaultStartParams).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`^creating the PGlite database in ${file} failed \\(exit code 1\\): file system error`));
    // One line from the child, not its source code or a stack.
    expect((error as Error).message).not.toContain("\n");
  });

  it("fails when Postgres refuses a setting, and opens once the setting is corrected", async () => {
    const dataDir = freshDir();
    await expect(openDb({ dataDir, schema: "part_a", pgliteSettings: { shared_buffers: "banana" } })).rejects.toThrow(
      /creating the PGlite database in .* failed \(exit code 1\): PGlite failed to initialize/,
    );
    const db = await openDb({ dataDir, schema: "part_a", pgliteSettings: { shared_buffers: "16MB" } });
    expect((await db.query<{ n: number }>("SELECT 1 AS n")).rows).toEqual([{ n: 1 }]);
    await db.close();
  });
});
