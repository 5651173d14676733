/**
 * `npm run lint` (and a step of `npm test`): ESLint with type-aware rules over every workspace (eslint.config.ts), then
 * knip for unused files, exports and dependencies (knip.config.ts). Both always run; the exit code is non-zero when
 * either finds anything. Arguments go to ESLint (e.g. `npm run lint -- gateway/src`).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
// The installed binaries by path, on this same Node (24: it loads eslint.config.ts), so that `node scripts/lint.ts`
// works outside npm scripts too, whatever `node` a shebang would find first.
const run = (command: string, args: string[]): number => {
  process.stdout.write(`\n$ ${command} ${args.join(" ")}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [resolve(root, "node_modules/.bin", command), ...args], { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.error !== undefined) process.stdout.write(`${command}: could not run (${result.error.message}); run npm ci\n`);
  else process.stdout.write(`${command}: ${result.status === 0 ? "clean" : "findings"} in ${seconds} s\n`);
  return result.status ?? 1;
};

const targets = process.argv.slice(2);
const codes = [
  // eslint.config.ts is loaded by Node's own type stripping (no jiti), as every other .ts file here is. No --cache:
  // a type-aware finding in one file can come from a change in another, which ESLint's per-file cache cannot see.
  run("eslint", ["--flag", "unstable_native_nodejs_ts_config", "--max-warnings=0", ...(targets.length > 0 ? targets : ["."])]),
  run("knip", ["--no-progress"]),
];
process.exit(codes.find((c) => c !== 0) ?? 0);
