/**
 * `node src/cli.ts setup`  installs the pinned opa (once)
 * `node src/cli.ts build`  compiles rego/ into dist/ (skipped when unchanged)
 * `node src/cli.ts test`   checks, formats-checks and unit-tests the Rego with opa, then builds
 */
import { buildBundle } from "./bundle.ts";
import { ensureOpa, runOpa } from "./opaCli.ts";
import { regoDir, regoTestsDir } from "./paths.ts";

const command = process.argv[2];
try {
  switch (command) {
    case "setup":
      process.stdout.write(`opa ready at ${ensureOpa()}\n`);
      break;
    case "build":
      process.stdout.write(`policy bundle revision ${buildBundle()}\n`);
      break;
    case "test":
      runOpa(["check", "--strict", regoDir, regoTestsDir]);
      runOpa(["fmt", "--fail", "--list", regoDir, regoTestsDir]);
      runOpa(["test", "--verbose=false", regoDir, regoTestsDir]);
      process.stdout.write(`policy bundle revision ${buildBundle()}\n`);
      break;
    default:
      process.stderr.write("usage: node src/cli.ts setup|build|test\n");
      process.exit(2);
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
