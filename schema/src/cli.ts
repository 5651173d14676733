/** `npm run compose` writes schema/supergraph.graphql; `--check` only reports whether it is stale. */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { composeSupergraph, readSupergraph, supergraphFile, CompositionError } from "./compose.ts";

try {
  const composed = composeSupergraph();
  const shown = relative(process.cwd(), supergraphFile);
  if (process.argv.includes("--check")) {
    if (composed !== readSupergraph()) {
      process.stderr.write(`${shown} is stale: run \`npm run compose\` and commit it.\n`);
      process.exit(1);
    }
    process.stdout.write(`${shown} is up to date.\n`);
  } else {
    writeFileSync(supergraphFile, composed);
    process.stdout.write(`Wrote ${shown}.\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof CompositionError ? error.message : String(error)}\n`);
  process.exit(1);
}
