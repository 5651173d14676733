/**
 * The `opa` CLI, installed once as a Go module at a pinned version into the project's git-ignored `.tools/bin`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { ensureGoTool, goToolPath, type GoTool } from "./goTool.ts";

export const opaVersion = "v1.22.2";
export const opaModule = "github.com/open-policy-agent/opa";
const opa: GoTool = {
  name: "opa",
  module: opaModule,
  version: opaVersion,
  selfVersion(path) {
    try {
      const version = /^Version:\s*(\S+)/m.exec(execFileSync(path, ["version"], { encoding: "utf8" }))?.[1];
      return version === undefined ? undefined : `v${version}`;
    } catch {
      return undefined;
    }
  },
};
export const opaPath: string = goToolPath(opa);

/** Returns the path of a working `opa` at the pinned version, installing it with `go install` when missing. */
export function ensureOpa(log?: (line: string) => void): string {
  return ensureGoTool(opa, log);
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
