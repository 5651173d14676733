import { describe, expect, it } from "vitest";
import { openDb, pgliteDefaults } from "../src/db.ts";

const shown = async (settings?: Record<string, string>) => {
  const db = await openDb({ schema: "part_a", ...(settings === undefined ? {} : { pgliteSettings: settings }) });
  try {
    return (await db.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]?.shared_buffers;
  } finally {
    await db.close();
  }
};

describe("PGlite's settings", () => {
  it("start every part's PGlite with small shared buffers, not Postgres's 128 MB", async () => {
    expect(pgliteDefaults["shared_buffers"]).toBe("16MB");
    expect(await shown()).toBe("16MB");
  });

  it("let a part choose its own", async () => {
    expect(await shown({ shared_buffers: "32MB" })).toBe("32MB");
  });
});
