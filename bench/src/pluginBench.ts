/** Runs the access plugin's in-process micro-benchmark (micro.ts) in its own process against the running parts. */
import { resolve } from "node:path";
import type { MicroResult, MicroSpec } from "./micro.ts";
import { benchConsumer, benchPurpose } from "./ndx.ts";
import type { Parts } from "./parts.ts";
import { startNode, stopping, untilExit } from "./procs.ts";
import { benchCitizen, scenarios } from "./scenarios.ts";

export async function runPluginBench(parts: Parts, firstNic: unknown): Promise<MicroResult> {
  const subject = typeof firstNic === "string" ? firstNic : benchCitizen;
  const spec: MicroSpec = {
    consentEngineUrl: parts.urls["consent-engine"] ?? "",
    exchangeUrl: parts.urls["exchange"] ?? "",
    policyDir: parts.policy.dir,
    consumerId: benchConsumer,
    purpose: benchPurpose,
    subject,
    query: scenarios[0]?.query ?? "",
    variables: { nic: subject },
    iterations: 10_000,
  };
  const proc = startNode({
    name: "micro-benchmark",
    args: [resolve(import.meta.dirname, "micro.ts"), JSON.stringify(spec)],
    env: { BENCH_CONSENT_SERVICE_TOKEN: parts.secrets.consentServiceToken, BENCH_EXCHANGE_SERVICE_TOKEN: parts.secrets.exchangeServiceToken },
    mayExit: true,
  });
  const code = await proc.exited;
  if (stopping()) await untilExit();
  const line = proc.tail().split("\n").reverse().find((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) throw new Error(`the micro-benchmark failed (exit ${code}):\n${proc.tail()}`);
  return JSON.parse(line) as MicroResult;
}
