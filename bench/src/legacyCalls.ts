/**
 * How many calls a legacy simulator served, from its Prometheus /metrics (`ndx_simulator_requests_total`, by
 * operation and injected fault): read at the start and the end of the measured window, the difference is the calls
 * the adapters made in it, so an adapter's CPU can be put per legacy call.
 */

/** A counter the load generator reads at the window's edges. */
export interface Counter {
  readonly name: string;
  /** A Prometheus text endpoint. */
  readonly url: string;
  /** @default "ndx_simulator_requests_total" */
  readonly metric?: string;
}

const simulatorRequestsMetric = "ndx_simulator_requests_total";

/** The sum of every sample of `metric` (all label sets) in a Prometheus text exposition. */
export function sumMetric(text: string, metric: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] === metric) sum += Number(match[3]);
  }
  return sum;
}

/** The counters' current values (NaN for one that does not answer). */
export async function readCounters(counters: readonly Counter[]): Promise<Record<string, number>> {
  const values = await Promise.all(
    counters.map(async (c) => {
      try {
        const response = await fetch(c.url, { signal: AbortSignal.timeout(5000) });
        return response.ok ? sumMetric(await response.text(), c.metric ?? simulatorRequestsMetric) : Number.NaN;
      } catch {
        return Number.NaN;
      }
    }),
  );
  return Object.fromEntries(counters.map((c, i) => [c.name, values[i] ?? Number.NaN]));
}

/** Calls per good request over the window, to 2 decimals. */
export function callsPerRequest(start: Record<string, number>, end: Record<string, number>, requests: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(start).map(([name, before]) => [name, Math.round((((end[name] ?? Number.NaN) - before) / Math.max(1, requests)) * 100) / 100]),
  );
}
