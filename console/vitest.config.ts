import { defineConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

// The shared setup, without its `include`: each project names its own files (arrays would be concatenated).
const { include: _include, ...sharedTest } = shared.test ?? {};

/** Two projects: `unit` (sessions, form tokens, pages against a real HTTP stand-in gateway) and `browser` (Chromium against real parts). */
export default defineConfig({
  ...shared,
  test: {
    ...sharedTest,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/*.test.ts"] } },
      { extends: true, test: { name: "browser", include: ["tests/browser/*.test.ts"], testTimeout: 180_000 } },
    ],
  },
});
