/**
 * The repository stands alone: a user clones only the project, so nothing in it (code, tests, configuration, docs)
 * reads from or points at a `shared/` folder beside it, and every part's default fixtures file is inside it.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFixturesFile } from "@ndx/platform";

const root = resolve(import.meta.dirname, "../..");

/** Tracked files' lines matching a pattern (git grep; no match is exit code 1). */
function gitGrep(...patterns: string[]): string[] {
  try {
    const out = execFileSync("git", ["grep", "-n", "-I", ...patterns.flatMap((p) => ["-e", p]), "--", ".", ":!tests/e2e/standalone.test.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    return out.split("\n").filter((line) => line !== "");
  } catch (error) {
    if (typeof error === "object" && error !== null && "status" in error && error.status === 1) return [];
    throw error;
  }
}

describe("the repository stands alone", () => {
  it("has no reference to ../shared or its design document", () => {
    expect(gitGrep(["..", "shared/"].join("/"), ["shared", "fixtures"].join("/"), ["DESIGN", "md"].join("."))).toEqual([]);
  });

  it("seeds from its own fixtures file", () => {
    expect(relative(root, defaultFixturesFile)).toBe("packages/fixtures/data/farajaland.json");
    expect(existsSync(defaultFixturesFile)).toBe(true);
    expect(execFileSync("git", ["ls-files", "--error-unmatch", "packages/fixtures/data/farajaland.json"], { cwd: root, encoding: "utf8" }).trim()).toBe(
      "packages/fixtures/data/farajaland.json",
    );
  });

  it("documents its own architecture", () => {
    expect(existsSync(resolve(root, "docs/architecture.md"))).toBe(true);
  });
});
