/**
 * The fixed-rate (open-loop) load generator for the latency view: requests are scheduled at fixed intervals
 * (`ratePerSecond`), whether or not earlier ones have been answered, and each latency is measured from the time the
 * request was *scheduled*, not sent. A target that stalls therefore shows the stall in every request that should
 * have gone out meanwhile (no coordinated omission), where a closed loop (autocannon) would quietly send less. Only
 * requests scheduled inside the measured window count; every answer must be the variant's expected body.
 *
 *   node bench/src/openLoop.ts '<json OpenLoopSpec>'   → prints one line of JSON (OpenLoopResult) on stdout
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { percentile } from "./percentile.ts";

export interface OpenLoopSpec {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request bodies, taken in turn, each with the exact response body it must get. */
  readonly variants: readonly { readonly body: string; readonly expect: string }[];
  /** Offered load: requests per second, at fixed intervals. */
  readonly ratePerSecond: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Connections the requests may use (enough that the generator never queues at the offered rate). @default 64 */
  readonly connections?: number;
  /** A request not answered within this counts as an error. @default 10000 */
  readonly timeoutMs?: number;
}

export interface OpenLoopResult {
  readonly ratePerSecond: number;
  /** Requests scheduled in the measured window, and how many of them were answered correctly. */
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  /** From the scheduled time to the whole answer, over the measured window's requests. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How late the generator itself sent a request of the measured window, at worst (its own lag: a machine too busy to keep the schedule). */
  readonly worstSendLagMs: number;
}

/** When request `index` is due, in ms after the start. */
export function scheduledAt(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/** How many requests are due by `elapsedMs` after the start (those scheduled at or before it), capped at `total`. */
export function dueBy(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

/** One request's outcome: when it was scheduled (ms after the start), its latency from then, and whether it was right. */
export interface Outcome {
  readonly scheduledMs: number;
  readonly latencyMs: number;
  readonly ok: boolean;
}

/** The latency view of a run: only the requests scheduled in [warmup, warmup + duration) count. */
export function summarize(outcomes: readonly Outcome[], spec: Pick<OpenLoopSpec, "ratePerSecond" | "warmupSeconds" | "durationSeconds">, worstSendLagMs: number): OpenLoopResult {
  const from = spec.warmupSeconds * 1000;
  const to = (spec.warmupSeconds + spec.durationSeconds) * 1000;
  const inWindow = outcomes.filter((o) => o.scheduledMs >= from && o.scheduledMs < to);
  const good = inWindow.filter((o) => o.ok);
  const sorted = Float64Array.from(good.map((o) => o.latencyMs)).sort();
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    ratePerSecond: spec.ratePerSecond,
    scheduled: inWindow.length,
    completed: good.length,
    errors: outcomes.filter((o) => !o.ok).length,
    p50Ms: round2(percentile(sorted, 50)),
    p99Ms: round2(percentile(sorted, 99)),
    maxMs: round2(sorted.at(-1) ?? Number.NaN),
    worstSendLagMs: round2(worstSendLagMs),
  };
}

/** Runs the fixed-rate load: warm-up then the measured window, every request scheduled in advance. */
export async function openLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const target = new URL(spec.url);
  const pool = new Pool(target.origin, { connections: spec.connections ?? 64, pipelining: 1 });
  const total = Math.round(spec.ratePerSecond * (spec.warmupSeconds + spec.durationSeconds));
  const headers = { "content-type": "application/json", ...spec.headers };
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const outcomes: Promise<Outcome>[] = [];
  let worstSendLagMs = 0;
  const send = async (index: number, start: number): Promise<Outcome> => {
    const scheduledMs = scheduledAt(index, spec.ratePerSecond);
    const variant = spec.variants[index % spec.variants.length];
    let ok: boolean;
    try {
      const response = await pool.request({
        path: target.pathname,
        method: "POST",
        headers,
        body: variant?.body ?? "",
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      ok = response.statusCode === 200 && text === variant?.expect;
    } catch {
      ok = false;
    }
    return { scheduledMs, latencyMs: performance.now() - start - scheduledMs, ok };
  };
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const elapsed = performance.now() - start;
    for (const due = dueBy(elapsed, spec.ratePerSecond, total); sent < due; sent += 1) {
      const scheduled = scheduledAt(sent, spec.ratePerSecond);
      if (scheduled >= spec.warmupSeconds * 1000) worstSendLagMs = Math.max(worstSendLagMs, elapsed - scheduled);
      outcomes.push(send(sent, start));
    }
    const wait = scheduledAt(sent, spec.ratePerSecond) - (performance.now() - start);
    if (sent < total) await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  const done = await Promise.all(outcomes);
  await pool.close();
  return summarize(done, spec, worstSendLagMs);
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as OpenLoopSpec;
  const result = await openLoop(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
