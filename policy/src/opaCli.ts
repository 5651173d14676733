/**
 * The `opa` CLI, installed once as a Go module at a pinned version into the project's git-ignored `.tools/bin`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { toolsBin } from "./paths.ts";

export const opaVersion = "v1.22.2";
export const opaModule = "github.com/open-policy-agent/opa";
export const opaPath: string = resolve(toolsBin, "opa");

function installedVersion(): string | undefined {
  if (!existsSync(opaPath)) return undefined;
  try {
    const out = execFileSync(opaPath, ["version"], { encoding: "utf8" });
    return /^Version:\s*(\S+)/m.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/** Returns the path of a working `opa` at the pinned version, installing it with `go install` when missing. */
export function ensureOpa(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  if (installedVersion() === opaVersion.replace(/^v/, "")) return opaPath;
  log(`Installing opa ${opaVersion} into .tools/bin with go install (once; a few minutes)...`);
  const go = spawnSync("go", ["install", `${opaModule}@${opaVersion}`], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, GOBIN: toolsBin, GOFLAGS: "-mod=mod" },
  });
  if (go.error !== undefined) {
    throw new Error(`Cannot install opa: the Go toolchain is needed (${go.error.message}). Install Go, or put opa ${opaVersion} at ${opaPath}.`);
  }
  if (go.status !== 0) throw new Error(`go install ${opaModule}@${opaVersion} failed (exit ${go.status})`);
  return opaPath;
}

/** Runs opa and returns what it printed (for `parse --format json` and the like). */
export function opaOutput(args: readonly string[]): string {
  const result = spawnSync(ensureOpa(), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) throw new Error(`opa ${args[0]} failed (exit ${result.status})`);
  return result.stdout;
}

export function runOpa(args: readonly string[]): void {
  const result = spawnSync(ensureOpa(), args, { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`opa ${args[0]} failed (exit ${result.status})`);
}
