import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "../src/db.ts";

// Its own file, so that its process has opened no PGlite before: memory freed by an earlier one would hide the peak.

/** This process's peak resident memory since the last reset (Linux), in MiB. */
const peakMb = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) / 1024;
const residentMb = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) / 1024;

describe("creating a PGlite database on disk", () => {
  it("leaves initdb's memory with the child: the opening process does not grow by it", async () => {
    // In the opening process initdb took this process's peak up by ~1 GB (wasm memory grows for it and never shrinks);
    // opening a made database costs ~280 MB (the compiled module and its first pages).
    writeFileSync("/proc/self/clear_refs", "5");
    const before = residentMb();
    const db = await openDb({ dataDir: join(mkdtempSync(join(tmpdir(), "ndx-create-")), "data"), schema: "part_a" });
    const grewMb = peakMb() - before;
    await db.close();
    expect(grewMb).toBeLessThan(600);
  });
});
