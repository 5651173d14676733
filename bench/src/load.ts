/**
 * The load generator, run as its own process so that it never shares an event loop with what it measures:
 * autocannon, a warm-up then the measured window on the same connections. The requests take turns through a list
 * of variants (the same query about different citizens or districts: identical concurrent requests would let a
 * gateway that merges in-flight subgraph calls do less work than real traffic asks of it). Every response body must
 * equal the expected answer of its variant (taken before the run, error-free); anything else counts as an error.
 *
 *   node bench/src/load.ts '<json LoadSpec>'   → prints one line of JSON (LoadResult) on stdout
 */
import autocannon from "autocannon";
import { cpuPerRequest, sampleParts, type Part } from "./cpuAccounting.ts";
import { callsPerRequest, readCounters, type Counter } from "./legacyCalls.ts";
import { percentile } from "./percentile.ts";

export interface LoadSpec {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request bodies, taken in turn, each with the exact response body it must get. */
  readonly variants: readonly { readonly body: string; readonly expect: string }[];
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Parts whose CPU time (process tree) over the measured window is reported. */
  readonly watch?: readonly Part[];
  /** Counters read at the window's edges (legacy calls served by each simulator). */
  readonly counters?: readonly Counter[];
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors + timeouts + responses that are not the expected 200 body (every non-2xx is one of those), warm-up included. */
  readonly errors: number;
  readonly detail: { socketErrors: number; timeouts: number; non2xx: number; mismatches: number; statusCodes: Record<string, number> };
  /** CPU time (user + system, all threads, process tree) each watched part used per good response in the window, ms. */
  readonly cpuMsPerRequest: Record<string, number>;
  /** Each counter's increase per good response in the window. */
  readonly countsPerRequest: Record<string, number>;
}

/**
 * One autocannon run of warm-up + measured time on the same connections: only responses completed inside the
 * measured window count (no gap, no backlog of warm-up requests carried into a separate run). Errors of either part
 * count.
 */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  const windowStart = spec.warmupSeconds * 1e9;
  const windowEnd = (spec.warmupSeconds + spec.durationSeconds) * 1e9;
  const bodies = spec.variants.map((v) => v.body);
  const expected = new Set(spec.variants.map((v) => v.expect));
  let next = 0;
  const watch = spec.watch ?? [];
  const counters = spec.counters ?? [];
  let cpuStart: Record<string, number> = {};
  let cpuEnd: Record<string, number> | undefined;
  let countsStart: Promise<Record<string, number>> = Promise.resolve({});
  let countsEnd: Promise<Record<string, number>> | undefined;
  const startTimer = setTimeout(() => {
    cpuStart = sampleParts(watch);
    countsStart = readCounters(counters);
  }, spec.warmupSeconds * 1000);
  const endTimer = setTimeout(() => {
    cpuEnd = sampleParts(watch);
    countsEnd = readCounters(counters);
  }, (spec.warmupSeconds + spec.durationSeconds) * 1000);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: "POST",
        headers: { "content-type": "application/json", ...spec.headers },
        requests: [{ method: "POST", setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? "" }) }],
        verifyBody: (body) => typeof body === "string" && expected.has(body),
        connections: spec.connections,
        pipelining: 1,
        duration: spec.warmupSeconds + spec.durationSeconds,
        timeout: 10,
      },
      (error, res) => (error === null || error === undefined ? resolve(res) : reject(error instanceof Error ? error : new Error(String(error)))),
    );
    // autocannon's own histogram has 1 ms resolution and covers the warm-up: keep the exact times (ms) of the window.
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      const at = Number(process.hrtime.bigint() - t0);
      if (at >= windowStart && at < windowEnd && statusCode >= 200 && statusCode < 300) times.push(responseTime);
    });
  });
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  const cpuMsPerRequest = cpuPerRequest(cpuStart, cpuEnd ?? sampleParts(watch), times.length);
  const countsPerRequest = callsPerRequest(await countsStart, await (countsEnd ?? readCounters(counters)), times.length);
  const sorted = Float64Array.from(times).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const detail = {
    socketErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    statusCodes,
  };
  return {
    requests: times.length,
    seconds: spec.durationSeconds,
    rps: Math.round((times.length / spec.durationSeconds) * 10) / 10,
    p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
    p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
    errors: detail.socketErrors + detail.timeouts + Math.max(detail.mismatches, detail.non2xx),
    detail,
    cpuMsPerRequest,
    countsPerRequest,
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  const result = await load(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
