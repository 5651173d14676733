/**
 * How a part stops on SIGTERM: read once from the environment by each part's main.ts and passed to runService and
 * listen (service.ts). Kubernetes waits terminationGracePeriodSeconds (30 s by default) before SIGKILL, so the default
 * grace leaves it 5 s for closing the database after the requests have drained.
 */
import { loadConfig, setting } from "./config.ts";

export interface ShutdownOptions {
  /** Longest the in-flight requests are waited for after SIGTERM before their connections are closed. @default 25000 */
  readonly graceMs: number;
}

export const defaultShutdownGraceMs = 25_000;

export function loadShutdownConfig(env: Readonly<Record<string, string | undefined>>): ShutdownOptions {
  const { SHUTDOWN_GRACE_MS } = loadConfig({ SHUTDOWN_GRACE_MS: setting.int(defaultShutdownGraceMs, { min: 0, max: 600_000 }) }, env);
  return { graceMs: SHUTDOWN_GRACE_MS };
}
