/**
 * The compiled policy, evaluated in-process with `@open-policy-agent/opa-wasm`: compiled once per bundle, evaluated
 * per request with no I/O. Its data is the bundle's static data (rego/data.json) merged with run-time data the gateway
 * derives from the exchange's register (`setData`, no rebuild). Each bundle and data revision is its own
 * {@link AccessPolicy} — its own wasm instance and decision memo — so a decision is never remembered across data, and
 * a request that started under one revision finishes under it.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as OpaWasm from "@open-policy-agent/opa-wasm";
import { entrypoint, type BundleManifest } from "./bundle.ts";
import type { AccessInput, Decision, PolicyData } from "./decision.ts";
import type { DecisionInput } from "./decisionInput.ts";
import { memoiseDecisions, type Evaluate } from "./decisionMemo.ts";
import { distDir } from "./paths.ts";

// opa-wasm 1.10's ES module entry exports only the async loadPolicy; loadPolicySync (which instantiates an already
// compiled module at once, so a new data revision never waits) is on its CommonJS entry.
const { loadPolicySync } = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as typeof OpaWasm;
type LoadedPolicy = OpaWasm.LoadedPolicy;

export interface AccessPolicy {
  /**
   * What answers now, recorded in every audit event: the bundle revision, and with run-time data
   * `<bundle revision>+<data revision>` (the gateway's is `r<register revision>`).
   */
  readonly revision: string;
  evaluate(input: AccessInput): Decision;
  /** Whether decisions are remembered by what the policy reads (see decisionMemo.ts), and if not, why. */
  readonly memo: { readonly on: boolean; readonly why?: string };
  /** Every purpose code the data registers (for any consumer): what a request may declare at all. */
  readonly purposes: ReadonlySet<string>;
}

/** The purpose codes in the policy data: the keys of each consumer's `purposes`. */
export function registeredPurposes(data: unknown): ReadonlySet<string> {
  const codes = new Set<string>();
  const record = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  for (const consumer of Object.values(record(record(data)["consumers"]))) {
    for (const code of Object.keys(record(record(consumer)["purposes"]))) codes.add(code);
  }
  return codes;
}

export interface LoadPolicyOptions {
  /** Remember decisions by what the policy reads of its input, when the bundle's analysis allows it. @default true */
  readonly memoise?: boolean;
  /** Run-time data merged over the bundle's static data (top-level keys replace). @default none */
  readonly data?: PolicyData | undefined;
}

/** A compiled wasm module, as opa-wasm takes it (the project's lib settings carry no WebAssembly types). */
type CompiledWasm = Parameters<typeof loadPolicySync>[0];
const compileWasm = (bytes: Uint8Array): CompiledWasm =>
  new (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledWasm } }).WebAssembly.Module(bytes);

export class PolicyBundleError extends Error {
  override name = "PolicyBundleError";
}

/** A built bundle, compiled: instantiated once per data revision. */
export interface PolicyBundle {
  readonly revision: string;
  readonly module: CompiledWasm;
  /** rego/data.json as built into the bundle. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly decisionInput: DecisionInput | undefined;
}

export function loadPolicyBundle(dir: string = distDir): PolicyBundle {
  let wasm: Uint8Array<ArrayBuffer>;
  let data: Record<string, unknown>;
  let manifest: BundleManifest;
  try {
    wasm = new Uint8Array(readFileSync(join(dir, "policy.wasm")));
    data = JSON.parse(readFileSync(join(dir, "data.json"), "utf8")) as Record<string, unknown>;
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
  } catch {
    throw new PolicyBundleError(`No policy bundle in ${dir}: build it with \`npm run build -w @ndx/policy\``);
  }
  return { revision: manifest.revision, module: compileWasm(wasm), data, decisionInput: manifest.decisionInput };
}

/** A policy answering from `bundle` with `options.data` set: a new wasm instance and a new, empty memo. */
export function instantiatePolicy(bundle: PolicyBundle, options: LoadPolicyOptions = {}): AccessPolicy {
  const data = options.data === undefined ? bundle.data : { ...bundle.data, ...options.data.document };
  const policy: LoadedPolicy = loadPolicySync(bundle.module);
  policy.setData(data);
  const evaluate: Evaluate = (input) => {
    const result = policy.evaluate(input, entrypoint) as { result?: Decision }[];
    const decision = result[0]?.result;
    // Fail closed: a policy that answers nothing denies.
    return decision ?? { allow: false, reasons: ["the policy gave no decision"], consentRequired: false };
  };
  const revision = options.data === undefined ? bundle.revision : `${bundle.revision}+${options.data.revision}`;
  const loaded = { revision, purposes: registeredPurposes(data) };
  const reads = bundle.decisionInput;
  if (options.memoise === false) return { ...loaded, evaluate, memo: { on: false, why: "turned off" } };
  if (reads === undefined) return { ...loaded, evaluate, memo: { on: false, why: "the bundle does not say what the policy reads" } };
  if (!reads.memoise) return { ...loaded, evaluate, memo: { on: false, why: reads.why } };
  return { ...loaded, evaluate: memoiseDecisions(evaluate, reads), memo: { on: true } };
}

export function loadAccessPolicy(dir: string = distDir, options: LoadPolicyOptions = {}): Promise<AccessPolicy> {
  try {
    return Promise.resolve(instantiatePolicy(loadPolicyBundle(dir), options));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export interface PolicyHolder {
  /** The policy in force; replaced atomically on a bundle reload or new run-time data. */
  readonly current: AccessPolicy;
  /** Sets new run-time data: a new policy answers from the next evaluation on. */
  setData(data: PolicyData): void;
  close(): void;
}

/**
 * Loads the bundle and reloads it whenever its manifest changes (a bundle that fails to load keeps the old one); the
 * run-time data last set applies to every bundle.
 */
export function watchAccessPolicy(
  dir: string = distDir,
  onReload: (event: { revision?: string; error?: Error }) => void = () => undefined,
  intervalMs = 1000,
  options: LoadPolicyOptions = {},
): Promise<PolicyHolder> {
  try {
    return Promise.resolve(holdAccessPolicy(dir, onReload, intervalMs, options));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function holdAccessPolicy(
  dir: string,
  onReload: (event: { revision?: string; error?: Error }) => void,
  intervalMs: number,
  options: LoadPolicyOptions,
): PolicyHolder {
  let bundle = loadPolicyBundle(dir);
  let data = options.data;
  let current = instantiatePolicy(bundle, { ...options, data });
  const manifest = join(dir, "manifest.json");
  const listener = () => {
    try {
      const next = loadPolicyBundle(dir);
      if (next.revision === bundle.revision) return;
      bundle = next;
      current = instantiatePolicy(bundle, { ...options, data });
      onReload({ revision: current.revision });
    } catch (error) {
      onReload({ error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  watchFile(manifest, { interval: intervalMs, persistent: false }, listener);
  return {
    get current() {
      return current;
    },
    setData(next: PolicyData) {
      data = next;
      current = instantiatePolicy(bundle, { ...options, data });
    },
    close: () => unwatchFile(manifest, listener),
  };
}
