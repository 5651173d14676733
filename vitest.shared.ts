/**
 * The one Vitest setup every workspace uses. `graphql` is pinned to its CommonJS entry: @apollo/* load it with
 * require(), and a second (ESM) copy would make `instanceof GraphQLError` fail across the two.
 */
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);
// `npm test` collects every workspace's results here to print one total.
const reports = process.env["NDX_TEST_REPORTS"];

export default defineConfig({
  resolve: {
    alias: { graphql: require.resolve("graphql") },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    reporters:
      reports === undefined
        ? ["default"]
        : ["default", ["json", { outputFile: resolve(reports, `${basename(process.cwd())}.json`) }]],
    // Generous: on a 2-core machine under a full `npm test`, starting PGlite alone can take seconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // turbo runs two workspaces at a time; two test files each keeps the machine's two cores busy, not swamped.
    maxWorkers: 2,
  },
});
