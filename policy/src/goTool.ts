/**
 * One installer for the project's pinned Go tools (opa here; helm and kubeconform in scripts/tools.ts): `go install`
 * at the pinned version into the git-ignored `.tools/bin`, once. The version a binary was built from is read with
 * `go version -m` (kubeconform built by go install reports no version of its own).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { toolsBin } from "./paths.ts";

export interface GoTool {
  /** The binary's name in .tools/bin. */
  readonly name: string;
  /** The Go module, e.g. helm.sh/helm/v4. */
  readonly module: string;
  /** The package to install. @default module */
  readonly pkg?: string;
  /** The pinned version, e.g. v4.3.2. */
  readonly version: string;
  /**
   * The version the binary reports itself (e.g. `v1.22.2`), for where there is no Go toolchain to ask (an image that
   * copied the binary in). @default none: only `go version -m`
   */
  readonly selfVersion?: (path: string) => string | undefined;
}

export const goToolPath = (tool: GoTool): string => resolve(toolsBin, tool.name);

/** The module version the binary at `path` was built from, if it is a Go binary built with module information. */
function builtVersion(path: string, module: string): string | undefined {
  try {
    const out = execFileSync("go", ["version", "-m", path], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const line = out.split("\n").find((l) => l.trim().startsWith("mod\t") && l.includes(`\t${module}\t`));
    return line?.trim().split("\t")[2];
  } catch {
    return undefined;
  }
}

/** Returns the path of the tool at its pinned version, installing it with `go install` when missing or another. */
export function ensureGoTool(tool: GoTool, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const path = goToolPath(tool);
  if (existsSync(path) && (builtVersion(path, tool.module) ?? tool.selfVersion?.(path)) === tool.version) return path;
  log(`Installing ${tool.name} ${tool.version} into .tools/bin with go install (once; a few minutes)...`);
  const target = `${tool.pkg ?? tool.module}@${tool.version}`;
  const go = spawnSync("go", ["install", target], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, GOBIN: toolsBin, GOFLAGS: "-mod=mod" },
  });
  if (go.error !== undefined) {
    throw new Error(`Cannot install ${tool.name}: the Go toolchain is needed (${go.error.message}). Install Go, or put ${tool.name} ${tool.version} at ${path}.`);
  }
  if (go.status !== 0) throw new Error(`go install ${target} failed (exit ${go.status})`);
  return path;
}
