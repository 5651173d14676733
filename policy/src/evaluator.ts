/**
 * The compiled policy, evaluated in-process with `@open-policy-agent/opa-wasm`: loaded once, evaluated per request
 * with no I/O, and swapped for a new one when the bundle on disk changes.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { entrypoint } from "./bundle.ts";
import type { AccessInput, Decision } from "./decision.ts";
import { distDir } from "./paths.ts";

export interface AccessPolicy {
  /** The bundle revision that answers now (recorded in every audit event). */
  readonly revision: string;
  evaluate(input: AccessInput): Decision;
}

export class PolicyBundleError extends Error {
  override name = "PolicyBundleError";
}

export async function loadAccessPolicy(dir: string = distDir): Promise<AccessPolicy> {
  let wasm: Buffer;
  let data: unknown;
  let revision: string;
  try {
    wasm = readFileSync(join(dir, "policy.wasm"));
    data = JSON.parse(readFileSync(join(dir, "data.json"), "utf8"));
    revision = (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { revision: string }).revision;
  } catch {
    throw new PolicyBundleError(`No policy bundle in ${dir}: build it with \`npm run build -w @ndx/policy\``);
  }
  const policy: LoadedPolicy = await loadPolicy(wasm);
  policy.setData(data as object);
  return {
    revision,
    evaluate(input) {
      const result = policy.evaluate(input, entrypoint) as { result?: Decision }[];
      const decision = result[0]?.result;
      // Fail closed: a policy that answers nothing denies.
      return decision ?? { allow: false, reasons: ["the policy gave no decision"], consentRequired: false };
    },
  };
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
): Promise<PolicyHolder> {
  const holder: PolicyHolder = {
    current: await loadAccessPolicy(dir),
    close: () => unwatchFile(manifest, listener),
  };
  const manifest = join(dir, "manifest.json");
  const listener = () => {
    loadAccessPolicy(dir).then(
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
