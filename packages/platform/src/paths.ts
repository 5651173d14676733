import { resolve } from "node:path";

/** The repository root (this file lives in packages/platform/src). */
export const repoRoot: string = resolve(import.meta.dirname, "../../..");

/** Where embedded databases and other local state live by default: git-ignored `.data/` at the root. */
export const defaultDataDir: string = resolve(repoRoot, ".data");

/** The canonical demo data, the project's own copy in `packages/fixtures/data/` (the fixtures package's `farajalandFile`). */
export const defaultFixturesFile: string = resolve(repoRoot, "packages/fixtures/data/farajaland.json");
