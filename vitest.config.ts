import { defineConfig, mergeConfig } from "vitest/config";
import shared from "./vitest.shared.ts";

/**
 * Every test of the tree, as Vitest projects: each workspace's own config (named after its package, e.g.
 * `@ndx/gateway`) and `e2e`, the end-to-end tests of the whole system as `npm start` runs it (real processes, real
 * HTTP). `npx vitest run` at the root runs them all; `--project e2e` (what `npm test` runs after each workspace's
 * own run) or `--project @ndx/gateway` picks one.
 */
export default defineConfig({
  test: {
    projects: [
      "*/vitest.config.ts",
      "*/*/vitest.config.ts",
      mergeConfig(
        shared,
        defineConfig({
          test: {
            name: "e2e",
            include: ["tests/e2e/**/*.test.ts"],
            testTimeout: 180_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        }),
      ),
    ],
  },
});
