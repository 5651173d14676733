/**
 * Fair conditions for the measured rounds:
 * - `waitForQuiet`: before the first target, wait (a bounded time) until the machine's cores are mostly idle. Work
 *   left over from before the bench (a test run, a build) otherwise lands on the first targets alone. The 1-minute
 *   load average lags by a minute, so the idle share is measured over a short window instead.
 * - `roundOrder`: the gateways take turns at every position (plain, NDX, Hive; then NDX, Hive, plain; ...), so a
 *   machine that slows down or speeds up during the run does not favour whichever target comes first.
 */
import { cpus } from "node:os";

/** Cumulative CPU time of the whole machine: idle and the total, in any unit. */
export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

export interface QuietOptions {
  /** Share of idle CPU time that counts as quiet. @default 0.85 */
  readonly idleAtLeast?: number;
  /** Length of one sample. @default 1000 */
  readonly sampleMs?: number;
  /** Longest wait; the bench then goes on and says how idle the machine was. @default 30000 */
  readonly maxWaitMs?: number;
  /** @default the machine's cores (`os.cpus()`) */
  readonly read?: () => CpuTimes;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Quiet {
  /** Idle share of the last sample, 0–1. */
  readonly idle: number;
  readonly waitedMs: number;
  readonly quiet: boolean;
}

function machineCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

export async function waitForQuiet(options: QuietOptions = {}): Promise<Quiet> {
  const {
    idleAtLeast = 0.85,
    sampleMs = 1000,
    maxWaitMs = 30_000,
    read = machineCpuTimes,
    sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms)),
  } = options;
  let waitedMs = 0;
  let before = read();
  for (;;) {
    await sleep(sampleMs);
    waitedMs += sampleMs;
    const after = read();
    const total = after.total - before.total;
    const idle = total > 0 ? (after.idle - before.idle) / total : 1;
    if (idle >= idleAtLeast || waitedMs >= maxWaitMs) return { idle, waitedMs, quiet: idle >= idleAtLeast };
    before = after;
  }
}

/** The targets of round `round` (1-based): each one at every position in turn. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  const shift = (round - 1) % Math.max(1, targets.length);
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}
