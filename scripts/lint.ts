/**
 * `npm run lint` (and a step of `npm test`): ESLint with type-aware rules over every workspace (eslint.config.ts), then
 * knip for unused files, exports and dependencies (knip.config.ts). Both always run; the exit code is non-zero when
 * either finds anything. Arguments go to ESLint (e.g. `npm run lint -- gateway/src`).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const run = (command: string, args: string[]): number => {
  process.stdout.write(`\n$ ${command} ${args.join(" ")}\n`);
  const started = Date.now();
  const status = spawnSync(command, args, { cwd: root, stdio: "inherit" }).status ?? 1;
  process.stdout.write(`${command}: ${status === 0 ? "clean" : "findings"} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return status;
};

const targets = process.argv.slice(2);
const codes = [
  // eslint.config.ts is loaded by Node's own type stripping (no jiti), as every other .ts file here is. No --cache:
  // a type-aware finding in one file can come from a change in another, which ESLint's per-file cache cannot see.
  run("eslint", ["--flag", "unstable_native_nodejs_ts_config", "--max-warnings=0", ...(targets.length > 0 ? targets : ["."])]),
  run("knip", ["--no-progress"]),
];
process.exit(codes.find((c) => c !== 0) ?? 0);
