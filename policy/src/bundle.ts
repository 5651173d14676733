/**
 * Builds the policy bundle: `opa build -t wasm` over rego/ (policy and data), unpacked into dist/. The revision is a
 * hash of the sources, so an unchanged policy is not rebuilt and every audit event names exactly what decided it.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyseDecisionInput, decisionInputVersion, type DecisionInput } from "./decisionInput.ts";
import { opaOutput, runOpa } from "./opaCli.ts";
import { distDir, regoDir } from "./paths.ts";
import { readTarGz } from "./tarball.ts";

export const entrypoint = "ndx/access/decision";

export function sourceRevision(dir: string = regoDir): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(dir).filter((f) => /\.(rego|json)$/.test(f)).sort()) {
    hash.update(file).update("\0").update(readFileSync(join(dir, file))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The bundle's manifest: opa's, plus what the policy reads of its input (decisionInput.ts). */
export interface BundleManifest {
  readonly revision: string;
  readonly decisionInput?: DecisionInput;
}

export function readManifest(dir: string = distDir): BundleManifest | undefined {
  const manifest = join(dir, "manifest.json");
  if (!existsSync(manifest)) return undefined;
  return JSON.parse(readFileSync(manifest, "utf8")) as BundleManifest;
}

export function builtRevision(dir: string = distDir): string | undefined {
  return readManifest(dir)?.revision;
}

/** What the Rego in `dir` reads of its input, from `opa parse`. */
export function decisionInputOf(dir: string = regoDir): DecisionInput {
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith(".rego"))
    .sort()
    .map((f) => JSON.parse(opaOutput(["parse", "--format", "json", join(dir, f)])) as unknown);
  return analyseDecisionInput(modules);
}

/** Builds into `outDir` unless it already holds the current revision; returns the revision. */
export function buildBundle(options: { sources?: string; outDir?: string; force?: boolean } = {}): string {
  const { sources = regoDir, outDir = distDir, force = false } = options;
  const revision = sourceRevision(sources);
  const built = readManifest(outDir);
  if (!force && built?.revision === revision && built.decisionInput?.version === decisionInputVersion) return revision;
  const work = mkdtempSync(join(tmpdir(), "ndx-policy-"));
  try {
    const archive = join(work, "bundle.tar.gz");
    runOpa(["build", "-t", "wasm", "-e", entrypoint, "--revision", revision, "-o", archive, sources]);
    const files = readTarGz(readFileSync(archive));
    const wasm = files.get("policy.wasm");
    const data = files.get("data.json");
    const manifest = files.get(".manifest");
    if (wasm === undefined || data === undefined || manifest === undefined) {
      throw new Error("opa build produced a bundle without policy.wasm, data.json or .manifest");
    }
    // Write beside, then swap in whole, so a running gateway never reads half a bundle.
    const staged = `${outDir}.staging-${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged, { recursive: true });
    writeFileSync(join(staged, "policy.wasm"), wasm);
    writeFileSync(join(staged, "data.json"), data);
    const opaManifest = JSON.parse(manifest.toString("utf8")) as Record<string, unknown>;
    writeFileSync(join(staged, "manifest.json"), JSON.stringify({ ...opaManifest, decisionInput: decisionInputOf(sources) }));
    const old = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staged, outDir);
    rmSync(old, { recursive: true, force: true });
    return revision;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
