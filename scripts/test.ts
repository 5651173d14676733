/**
 * `npm test`: every workspace's typecheck and tests (turborepo), the lint (ESLint and knip, scripts/lint.ts), then the
 * end-to-end project, then one closing line that counts every test: "N passed, N failed".
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const reports = resolve(root, "reports/vitest");
rmSync(reports, { recursive: true, force: true });

const env = { ...process.env, NDX_TEST_REPORTS: reports };
const run = (command: string, args: string[]): number => {
  process.stdout.write(`\n$ ${command} ${args.join(" ")}\n`);
  return spawnSync(command, args, { cwd: root, stdio: "inherit", env }).status ?? 1;
};
// Each workspace's typecheck and tests; then the root's own typecheck; then the lint of the whole tree; then the
// end-to-end project, alone, so that whole-system tests do not compete with unit tests for the machine's cores.
const codes = [
  run("turbo", ["run", "typecheck", "test", "--continue", "--concurrency=2", "--log-order=grouped", ...process.argv.slice(2)]),
  run("tsc", ["-p", "."]),
  run("node", ["scripts/lint.ts"]),
  run("vitest", ["run", "--project", "e2e"]),
];

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(resolve(reports, file), "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
}
const code = codes.find((c) => c !== 0) ?? 0;
if (code !== 0 && failed === 0) failed = 1; // a typecheck, lint or start-up failure counts too
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
process.exit(code);
