/**
 * The compiled policy, evaluated in-process with `@open-policy-agent/opa-wasm`: loaded once, evaluated per request
 * with no I/O, and swapped for a new one when the bundle on disk changes.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { entrypoint, type BundleManifest } from "./bundle.ts";
import type { AccessInput, Decision } from "./decision.ts";
import { memoiseDecisions, type Evaluate } from "./decisionMemo.ts";
import { distDir } from "./paths.ts";

export interface AccessPolicy {
  /** The bundle revision that answers now (recorded in every audit event). */
  readonly revision: string;
  evaluate(input: AccessInput): Decision;
  /** Whether decisions are remembered by what the policy reads (see decisionMemo.ts), and if not, why. */
  readonly memo: { readonly on: boolean; readonly why?: string };
  /** Every purpose code the bundle's data registers (for any consumer): what a request may declare at all. */
  readonly purposes: ReadonlySet<string>;
}

/** The purpose codes in the policy data: `purposes` and each consumer's `purposes`. */
export function registeredPurposes(data: unknown): ReadonlySet<string> {
  const codes = new Set<string>();
  const record = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const root = record(data);
  for (const code of Object.keys(record(root["purposes"]))) codes.add(code);
  for (const consumer of Object.values(record(root["consumers"]))) {
    const listed = record(consumer)["purposes"];
    if (Array.isArray(listed)) for (const code of listed) if (typeof code === "string") codes.add(code);
  }
  return codes;
}

export interface LoadPolicyOptions {
  /** Remember decisions by what the policy reads of its input, when the bundle's analysis allows it. @default true */
  readonly memoise?: boolean;
}

export class PolicyBundleError extends Error {
  override name = "PolicyBundleError";
}

export async function loadAccessPolicy(dir: string = distDir, options: LoadPolicyOptions = {}): Promise<AccessPolicy> {
  let wasm: Buffer;
  let data: unknown;
  let manifest: BundleManifest;
  try {
    wasm = readFileSync(join(dir, "policy.wasm"));
    data = JSON.parse(readFileSync(join(dir, "data.json"), "utf8"));
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
  } catch {
    throw new PolicyBundleError(`No policy bundle in ${dir}: build it with \`npm run build -w @ndx/policy\``);
  }
  const policy: LoadedPolicy = await loadPolicy(wasm);
  policy.setData(data as object);
  const evaluate: Evaluate = (input) => {
    const result = policy.evaluate(input, entrypoint) as { result?: Decision }[];
    const decision = result[0]?.result;
    // Fail closed: a policy that answers nothing denies.
    return decision ?? { allow: false, reasons: ["the policy gave no decision"], consentRequired: false };
  };
  const reads = manifest.decisionInput;
  const loaded = { revision: manifest.revision, purposes: registeredPurposes(data) };
  if (options.memoise === false) return { ...loaded, evaluate, memo: { on: false, why: "turned off" } };
  if (reads === undefined) return { ...loaded, evaluate, memo: { on: false, why: "the bundle does not say what the policy reads" } };
  if (!reads.memoise) return { ...loaded, evaluate, memo: { on: false, why: reads.why } };
  return { ...loaded, evaluate: memoiseDecisions(evaluate, reads), memo: { on: true } };
}

export interface PolicyHolder {
  /** The policy in force; replaced atomically on reload. */
  current: AccessPolicy;
  close(): void;
}

/** Loads the bundle and reloads it whenever its manifest changes; a bundle that fails to load keeps the old one. */
export async function watchAccessPolicy(
  dir: string = distDir,
  onReload: (event: { revision?: string; error?: Error }) => void = () => undefined,
  intervalMs = 1000,
  options: LoadPolicyOptions = {},
): Promise<PolicyHolder> {
  const holder: PolicyHolder = {
    current: await loadAccessPolicy(dir, options),
    close: () => unwatchFile(manifest, listener),
  };
  const manifest = join(dir, "manifest.json");
  const listener = () => {
    loadAccessPolicy(dir, options).then(
      (next) => {
        if (next.revision === holder.current.revision) return;
        holder.current = next;
        onReload({ revision: next.revision });
      },
      (error: unknown) => onReload({ error: error instanceof Error ? error : new Error(String(error)) }),
    );
  };
  watchFile(manifest, { interval: intervalMs, persistent: false }, listener);
  return holder;
}
