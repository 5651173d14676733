import { defineConfig } from "vitest/config";

/** Two projects: `unit` (storage, API, rules; both database backends) and `browser` (the portal in Chromium). */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/*.test.ts"] } },
      { extends: true, test: { name: "browser", include: ["tests/browser/*.test.ts"], testTimeout: 60_000 } },
    ],
  },
});
