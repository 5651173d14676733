import { defineConfig, mergeConfig } from "vitest/config";
import shared from "./vitest.shared.ts";

/** The root project: end-to-end tests of the whole system as `npm start` runs it (real processes, real HTTP). */
export default mergeConfig(
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
);
