/**
 * The parts NDX calls, started as `npm start` starts them (scripts/services.ts) on free ports with a temporary data
 * dir: every part but the gateway (the bench starts its own) and the console (nothing measured uses it). The measured
 * parts run as production with secrets generated for the run (partsEnv.ts); the exchange starts from the bench's
 * seed (bulk access for the list scenario, ndx.ts).
 */
import { join, resolve } from "node:path";
import { freePort } from "@ndx/platform/dev";
import { services } from "../../scripts/services.ts";
import { adapterCacheEnv } from "./adapterCache.ts";
import type { BenchOptions } from "./options.ts";
import { benchSecrets, partEnv } from "./partsEnv.ts";
import { buildPolicyBundle, writeBenchExchangeSeed } from "./ndx.ts";
import { repoRoot, startNode, waitReady, type Proc } from "./procs.ts";

export interface Parts {
  /** Every service's base URL by name ("gateway" is the port the NDX gateway will listen on). */
  readonly urls: Readonly<Record<string, string>>;
  readonly ports: ReadonlyMap<string, number>;
  /** The running parts by service name. */
  readonly procs: ReadonlyMap<string, Proc>;
  readonly secrets: ReturnType<typeof benchSecrets>;
  readonly policy: ReturnType<typeof buildPolicyBundle>;
}

const adapters = new Set(["drp-rest", "dmt-soap"]);

export async function startParts(work: string, options: BenchOptions): Promise<Parts> {
  // The policy as it is; its consumers come from the bench's exchange (its register), whose seed gives the bench
  // consumer bulk access for the list scenario.
  const policy = buildPolicyBundle(work);
  const exchangeSeedFile = writeBenchExchangeSeed(work);
  const cacheEnv = adapterCacheEnv(options.adapterCache);
  const backing = services.filter((s) => s.name !== "gateway" && s.name !== "console");
  const ports = new Map<string, number>();
  for (const s of services) ports.set(s.name, await freePort());
  const urls: Record<string, string> = Object.fromEntries(services.map((s) => [s.name, `http://127.0.0.1:${ports.get(s.name)}`]));
  const procs = new Map<string, Proc>();
  // Generated for this run: the measured parts run as production, which requires real secrets.
  const secrets = benchSecrets();
  const ready = new Set<string>();
  const pending = [...backing];
  while (pending.length > 0) {
    const wave = pending.filter((s) => (s.after ?? []).every((d) => ready.has(d)));
    if (wave.length === 0) throw new Error("scripts/services.ts has a dependency cycle");
    await Promise.all(
      wave.map(async (s) => {
        const env: Record<string, string | undefined> = { ...partEnv(s.name, secrets), PORT: String(ports.get(s.name)), ...s.links?.(urls) };
        if (s.pglite === true) env["PGLITE_DIR"] = join(work, s.name);
        if (s.dataDirVariable !== undefined) env[s.dataDirVariable] = join(work, s.name);
        if (s.name === "exchange") {
          env["EXCHANGE_SEED_FILE"] = exchangeSeedFile;
          env["CONSENT_ENGINE_URL"] ??= urls["consent-engine"];
        }
        // The adapters follow the registry's change feed to purge their cache of a person who changed, as deployed.
        if (adapters.has(s.name)) Object.assign(env, { REGISTRY_EVENTS_URL: `${urls["registry"]}/events`, REGISTRY_EVENTS_TOKEN: secrets.registryEventsToken }, cacheEnv);
        const proc = startNode({ name: s.name, args: [resolve(repoRoot, s.entry)], env, echo: options.verbose });
        procs.set(s.name, proc);
        await waitReady(proc, `${urls[s.name]}/ready`, 180_000);
      }),
    );
    for (const s of wave) {
      ready.add(s.name);
      pending.splice(pending.indexOf(s), 1);
    }
  }
  return { urls, ports, procs, secrets, policy };
}
