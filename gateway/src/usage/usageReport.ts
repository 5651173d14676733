/**
 * Reports the usage counted (usageCounts.ts) to the schema registry at the exchange, `POST /v1/usage` with
 * EXCHANGE_SERVICE_TOKEN, every `intervalMs` and at shutdown, in batches of at most 5000 records — off the request
 * path. A report that fails is merged back and sent with the next one (at most `maxHeld` records are held; past that
 * the oldest report is dropped and logged), so an exchange outage loses nothing short of that.
 */
import type { Logger } from "@ndx/platform";
import type { DocumentNode } from "graphql";
import type { FieldAccess } from "@ndx/policy";
import { createUsageCounts, type UsageCounts, type UsageRecord } from "./usageCounts.ts";

export interface UsageReportOptions {
  /** The exchange's base URL (EXCHANGE_URL). */
  readonly url: string;
  readonly serviceToken: string;
  readonly logger: Logger;
  /** @default 10000 */
  readonly intervalMs?: number;
  /** Records held for a later report while the exchange cannot take them. @default 50000 */
  readonly maxHeld?: number;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export interface UsageReport {
  count: UsageCounts["count"];
  /** Sends what was counted now. */
  flush(): Promise<void>;
  /** Stops the timer and sends what is left. */
  close(): Promise<void>;
}

const batchSize = 5000;

export function createUsageReport(options: UsageReportOptions): UsageReport {
  const { logger, intervalMs = 10_000, maxHeld = 50_000, timeoutMs = 5000 } = options;
  const counts = createUsageCounts();
  let unsent: UsageRecord[] = [];
  let sending: Promise<void> | undefined;

  async function send(records: readonly UsageRecord[]): Promise<void> {
    const response = await fetch(new URL("/v1/usage", options.url), {
      method: "POST",
      headers: { authorization: `Bearer ${options.serviceToken}`, "content-type": "application/json" },
      body: JSON.stringify({ records }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }

  async function report(): Promise<void> {
    const records = [...unsent, ...counts.drain()];
    unsent = [];
    for (let i = 0; i < records.length; i += batchSize) {
      try {
        await send(records.slice(i, i + batchSize));
      } catch (err) {
        unsent = records.slice(i);
        if (unsent.length > maxHeld) {
          logger.warn({ dropped: unsent.length - maxHeld }, "usage records dropped: the exchange has not taken them for too long");
          unsent = unsent.slice(unsent.length - maxHeld);
        }
        logger.warn({ held: unsent.length, cause: err instanceof Error ? err.message : String(err) }, "usage report failed; kept for the next one");
        return;
      }
    }
  }

  const flush = () => (sending ??= report().finally(() => (sending = undefined)));
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    count: (document: DocumentNode, operationName: string | null, consumer: string, fields: readonly FieldAccess[]) =>
      counts.count(document, operationName, consumer, fields),
    flush,
    async close() {
      clearInterval(timer);
      await sending;
      await flush();
    },
  };
}

/** Who a usage record names: the application for a consumer; staff and citizens only by kind (no person's name). */
export const usageConsumer = (record: { readonly caller: string | null; readonly consumer: string | null }): string =>
  record.caller === "consumer" && record.consumer !== null ? record.consumer : (record.caller ?? "unknown");
