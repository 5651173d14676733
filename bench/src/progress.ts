/** The bench's progress lines on stderr, with the seconds since it started, and how it gives up on a failure. */
import { stopAll, stopping } from "./procs.ts";

const started = Date.now();

/** When the bench started (Date.now). */
export const startedAt = started;

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** "[ 12 s]"-style seconds since the start. */
export function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
}

/** Stops everything the bench started and exits non-zero, naming the failure (not when the bench is already stopping). */
export function fail(error: unknown): never {
  if (stopping()) throw error;
  say(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
  // stopAll exits; this keeps TypeScript's flow analysis honest.
  throw error;
}

/** A failure anywhere (or the stop itself: requests cut off by Ctrl-C) stops everything in order; stopAll then exits. */
export function failOnUnhandled(): void {
  const onFailure = (error: unknown) => {
    if (stopping()) return;
    say(`\nBENCH FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void stopAll(1);
  };
  process.on("unhandledRejection", onFailure);
  process.on("uncaughtException", onFailure);
}
