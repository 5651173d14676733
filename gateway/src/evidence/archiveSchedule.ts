/**
 * Runs the archiver for this replica's chain on a timer (AUDIT_ARCHIVE_INTERVAL_MS), off the request path: runs
 * never overlap, a failed run is logged and tried again at the next one (its events stay hot), and the first run —
 * shortly after start — finishes an archive a previous process left half done.
 */
import { archiveChain, type ArchiverOptions, type ArchiveRun } from "./archiver.ts";

export interface ArchiveSchedule {
  /** One run now (or the one running). */
  run(): Promise<ArchiveRun | undefined>;
  /** Stops the timer and waits for a run in progress. */
  close(): Promise<void>;
}

export function startArchiveSchedule(options: ArchiverOptions & { readonly intervalMs: number }): ArchiveSchedule {
  let running: Promise<ArchiveRun | undefined> | undefined;
  const run = (): Promise<ArchiveRun | undefined> => {
    running ??= archiveChain(options)
      .catch((error: unknown) => {
        options.logger?.error({ err: error, chain: options.chain }, "audit archive failed; its events stay in the hot table and it is tried again at the next run");
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  const first = setTimeout(() => void run(), Math.min(options.intervalMs, 5000));
  first.unref();
  return {
    run,
    async close() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
