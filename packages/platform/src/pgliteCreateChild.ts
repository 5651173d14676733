/**
 * The child process of pgliteCreate.ts: `node pgliteCreateChild.ts <dataDir> <startParams as JSON>` creates the
 * database (PGlite runs initdb on an empty directory), closes it so that every file is written, and exits. A failure
 * is one line on standard error (PGlite's own message, or the file system error's code) and exit code 1.
 */
import { PGlite } from "@electric-sql/pglite";

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((p) => typeof p === "string");

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  // Emscripten's file system throws objects with an errno and no message.
  if (typeof error === "object" && error !== null && "errno" in error) return `file system error, errno ${String(error.errno)}`;
  return String(error);
}

try {
  const [dataDir, params] = process.argv.slice(2);
  if (dataDir === undefined || params === undefined) throw new Error("usage: pgliteCreateChild.ts <dataDir> <startParams JSON>");
  const startParams: unknown = JSON.parse(params);
  if (!isStrings(startParams)) throw new Error("startParams must be an array of strings");
  const lite = await PGlite.create(dataDir, { startParams });
  await lite.close();
} catch (error) {
  process.stderr.write(`${describe(error)}\n`);
  process.exitCode = 1;
}
