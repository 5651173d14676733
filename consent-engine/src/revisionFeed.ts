/**
 * Announces every new revision (grant, revocation, expiry) to subscribers at once: the Server-Sent Events stream
 * and the long-poll endpoint listen here. Changes made by this process are published right after they commit;
 * with a real PostgreSQL server, changes made by other instances arrive through LISTEN on the revision channel.
 * Subscribers only ever see increasing revisions. The gateways' acknowledgements are kept in the database, where
 * every instance sees them, and a revocation answers once none that may still use its cache lags behind it
 * (revisionAcks.ts).
 */
import type { RevisionEvent } from "@ndx/contracts";
import pg from "pg";
import { revisionChannel } from "./consentStore.ts";
import type { Db, Logger, Settlement } from "@ndx/platform";
import { confirmAcknowledgement, createSettlement, type AckAnswer } from "./revisionAcks.ts";

export type { Settlement } from "@ndx/platform";

export type { RevisionEvent };

export interface RevisionFeed {
  /** The highest revision seen. */
  readonly latest: number;
  publish(event: RevisionEvent): void;
  subscribe(listener: (event: RevisionEvent) => void): () => void;
  /** Resolves with the latest revision as soon as it exceeds `after`, or after `ms` (or on abort) with the latest. */
  waitBeyond(after: number, ms: number, signal?: AbortSignal): Promise<number>;
  /** How many stream subscribers are connected now. */
  readonly subscribers: number;
  /** The stream sends a heartbeat this often. */
  readonly heartbeatMs: number;
  /** A subscriber uses no cached answer once this long has passed since its last confirmed acknowledgement. */
  readonly staleAfterMs: number;
  /** A stream subscriber (a gateway) that acknowledges the revisions it has applied; returns its removal. */
  track(subscriber: string): () => void;
  /**
   * A subscriber of this instance has emptied its cache up to `revision`. Confirmed when `revision` is at least the
   * latest one (the database's): the subscriber may trust its cache for `staleAfterMs` more. Undefined: no such
   * subscriber here (it must reconnect).
   */
  acknowledge(subscriber: string, revision: number): Promise<AckAnswer | undefined>;
  /**
   * Resolves once every gateway following any instance has acknowledged `revision` or can no longer trust a cached
   * answer (revisionAcks.ts): a revocation is answered only when no gateway can serve a cached "yes".
   */
  settled(revision: number): Promise<Settlement>;
  close(): Promise<void>;
}

export interface RevisionFeedOptions {
  /** The engine's database: where the gateways' acknowledgements are kept. */
  readonly db: Db;
  readonly initial: number;
  /** A postgres:// URL: listen for other instances' changes. */
  readonly databaseUrl?: string | undefined;
  readonly logger: Logger;
  /** How often the stream sends a heartbeat; subscribers treat it as down after twice that without a word. @default 2000 */
  readonly heartbeatMs?: number;
  /** How often a revocation looks again for gateways that have not acknowledged it. @default 20 */
  readonly settlePollMs?: number;
  /** A monotonic clock in ms (tests move it). @default performance.now */
  readonly now?: () => number;
}

export function isRevisionEvent(value: unknown): value is RevisionEvent {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v["revision"] !== "number" || typeof v["at"] !== "string") return false;
  if (v["change"] === "resync") return true;
  return (
    ["granted", "revoked", "expired", "paused", "resumed"].includes(String(v["change"])) &&
    typeof v["consentId"] === "string" &&
    typeof v["consumerId"] === "string" &&
    typeof v["citizenId"] === "string"
  );
}

export async function createRevisionFeed(options: RevisionFeedOptions): Promise<RevisionFeed> {
  let latest = options.initial;
  const listeners = new Set<(event: RevisionEvent) => void>();
  const publish = (event: RevisionEvent) => {
    if (event.revision <= latest) return;
    latest = event.revision;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        options.logger.error({ err: error }, "revision listener failed");
      }
    }
  };
  const listener = options.databaseUrl === undefined ? undefined : await listenToPostgres(options.databaseUrl, publish, options.logger);
  const heartbeatMs = options.heartbeatMs ?? 2000;
  const staleAfterMs = 2 * heartbeatMs;
  const settled = createSettlement({ db: options.db, staleAfterMs, pollMs: options.settlePollMs ?? 20, now: options.now ?? (() => performance.now()), logger: options.logger });
  const subscribers = new Set<string>();
  return {
    heartbeatMs,
    staleAfterMs,
    track(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    acknowledge: async (subscriber, revision) => (subscribers.has(subscriber) ? confirmAcknowledgement(options.db, subscriber, revision, latest) : undefined),
    settled,
    get latest() {
      return latest;
    },
    get subscribers() {
      return subscribers.size;
    },
    publish,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    waitBeyond(after, ms, signal) {
      if (latest > after || signal?.aborted === true) return Promise.resolve(latest);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(onEvent);
          signal?.removeEventListener("abort", done);
          resolve(latest);
        };
        const onEvent = (e: RevisionEvent) => {
          if (e.revision > after) done();
        };
        const timer = setTimeout(done, ms);
        listeners.add(onEvent);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    async close() {
      listeners.clear();
      await listener?.close();
    },
  };
}

async function listenToPostgres(
  url: string,
  publish: (event: RevisionEvent) => void,
  logger: Logger,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (message) => {
      if (message.channel !== revisionChannel || message.payload === undefined) return;
      try {
        const event: unknown = JSON.parse(message.payload);
        if (isRevisionEvent(event)) publish(event);
      } catch {
        logger.warn("ignored a malformed revision notification");
      }
    });
    const reconnect = () => {
      if (closed || client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      retry = setTimeout(() => void connect().catch(() => reconnect()), 1000);
    };
    c.on("error", (error) => {
      logger.warn({ err: error }, "revision listener lost its connection; reconnecting");
      reconnect();
    });
    c.on("end", reconnect);
    client = c;
    await c.connect();
    await c.query(`LISTEN ${revisionChannel}`);
  };
  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
