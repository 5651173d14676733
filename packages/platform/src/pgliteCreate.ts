/**
 * Creating a PGlite database on disk in a child process of its own. Postgres compiled to wasm runs initdb inside its
 * linear memory, which grows to about a gigabyte for it, and a wasm memory never shrinks: created in the part that
 * then serves from it, those pages stayed resident for the part's whole life (the NDX gateway held ~210 MB more
 * after a first start than after a restart on the same data). The child makes the database and exits, taking that
 * memory with it; the part then opens the database as it opens an existing one. Only a first start pays: ~2 s.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const childScript = fileURLToPath(new URL("./pgliteCreateChild.ts", import.meta.url));

/** How long creating a database may take before it counts as failed. */
const createTimeoutMs = 120_000;
/** How much of the child's standard error an error keeps (its last lines say why). */
const keptErrorChars = 2_000;

/** Whether `dataDir` already holds a Postgres database (initdb writes PG_VERSION). */
export const holdsDatabase = (dataDir: string): boolean => existsSync(join(dataDir, "PG_VERSION"));

/**
 * Makes a new database in `dataDir` (which exists and holds none) with PGlite's `startParams`, in a child process.
 * Rejects with the child's own last words when it fails or does not finish in time.
 */
export function createPgliteDatabase(dataDir: string, startParams: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // No execArgv: a profiler or inspector flag of this process must not follow the child.
    const child = spawn(process.execPath, [childScript, dataDir, JSON.stringify(startParams)], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: createTimeoutMs,
      killSignal: "SIGKILL",
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-keptErrorChars);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0 && holdsDatabase(dataDir)) return resolve();
      const why = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      reject(new Error(`creating the PGlite database in ${dataDir} failed (${why})${stderr.trim() === "" ? "" : `: ${stderr.trim()}`}`));
    });
  });
}
