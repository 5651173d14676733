/**
 * `npm test`: every workspace's typecheck and tests (turborepo), the lint (ESLint and knip, scripts/lint.ts), then the
 * end-to-end project, then the failed tests by name with the first line of their error (so that a CI log that keeps only
 * its tail still says what failed), then one closing line that counts every test: "N passed, N failed".
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { relative, resolve } from "node:path";

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

/** The parts of Vitest's JSON report (Jest's shape) read here. */
interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

const firstLine = (text: string | undefined): string => (text ?? "").split("\n").find((line) => line.trim() !== "")?.trim().slice(0, 300) ?? "";

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(resolve(reports, file), "utf8")) as Report;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    for (const result of report.testResults ?? []) {
      const where = relative(root, result.name);
      const tests = (result.assertionResults ?? []).filter((test) => test.status === "failed");
      for (const test of tests) failures.push(`${where} > ${test.fullName}\n    ${firstLine(test.failureMessages?.[0])}`);
      // A file that failed outside any test (a hook, an import) has no failed test to name.
      if (result.status === "failed" && tests.length === 0) failures.push(`${where}\n    ${firstLine(result.message)}`);
    }
  }
}
if (failures.length > 0) process.stdout.write(`\nFailed:\n${failures.map((failure) => `  ${failure}`).join("\n")}\n`);
const code = codes.find((c) => c !== 0) ?? 0;
if (code !== 0 && failed === 0) failed = 1; // a typecheck, lint or start-up failure counts too
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
process.exit(code);
