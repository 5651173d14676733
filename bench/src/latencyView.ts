/**
 * The latency view: the plain and NDX gateways, in turn, under the same fixed offered load (`--rate`, req/s) of the
 * single-person scenario, from the open-loop generator (openLoop.ts, a separate process), so that p50/p99 compare
 * the gateways at a load both can carry rather than at saturation, where latency is only queueing.
 */
import { resolve } from "node:path";
import type { LatencyResult } from "./benchResults.ts";
import type { Running } from "./gateways.ts";
import type { OpenLoopResult, OpenLoopSpec } from "./openLoop.ts";
import { answersOf, type MeasureSetup } from "./measure.ts";
import { startNode, stopping, untilExit } from "./procs.ts";
import { elapsed, say } from "./progress.ts";
import type { Scenario } from "./scenarios.ts";

async function runOpenLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const proc = startNode({ name: "fixed-rate generator", args: [resolve(import.meta.dirname, "openLoop.ts"), JSON.stringify(spec)], mayExit: true });
  const code = await proc.exited;
  if (stopping()) return untilExit();
  const line = proc.tail().split("\n").reverse().find((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) throw new Error(`the fixed-rate generator failed (exit ${code}):\n${proc.tail()}`);
  return JSON.parse(line) as OpenLoopResult;
}

export async function measureLatency(
  setup: MeasureSetup,
  gateways: readonly Running[],
  scenario: Scenario,
  variables: readonly Record<string, unknown>[],
): Promise<LatencyResult[]> {
  const out: LatencyResult[] = [];
  const { rate, warmupSeconds, durationSeconds } = setup.options;
  for (const running of gateways) {
    const variants = await answersOf(running, scenario, variables, setup.consentEngine);
    say(`[${elapsed()}] latency view, ${scenario.name} → ${running.target}: ${rate} req/s offered, ${warmupSeconds} s warm-up + ${durationSeconds} s`);
    const result = await runOpenLoop({
      url: running.url,
      headers: running.headers,
      variants: variants.map(({ body, expect }) => ({ body, expect })),
      ratePerSecond: rate,
      warmupSeconds,
      durationSeconds,
    });
    if (result.errors > 0 || result.completed === 0) {
      throw new Error(`${running.target} (latency view) had ${result.errors} failed requests (${result.completed} answered correctly) — not a result`);
    }
    say(`[${elapsed()}]   p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.completed} of ${result.scheduled}; generator lag ≤ ${result.worstSendLagMs} ms)`);
    out.push({ scenario: scenario.name, target: running.target, ...result });
  }
  return out;
}
