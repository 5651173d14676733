import { resolve } from "node:path";

export const policyDir: string = resolve(import.meta.dirname, "..");
/** Rego sources and the policy data they read. */
export const regoDir: string = resolve(policyDir, "rego");
/** `opa test` unit tests of the Rego. */
export const regoTestsDir: string = resolve(policyDir, "tests");
/** The compiled bundle, unpacked: policy.wasm, data.json, manifest.json (git-ignored). */
export const distDir: string = resolve(policyDir, "dist");
/** Project-local, git-ignored tools folder. */
export const toolsBin: string = resolve(policyDir, "../.tools/bin");
