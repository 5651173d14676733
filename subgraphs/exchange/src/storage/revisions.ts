/**
 * The register's revision: one counter moved in the same transaction as every change (`bumpRevision`), and a feed
 * that tells the register stream when it moved. In this process a commit is announced directly; across processes over
 * one PostgreSQL the transaction's NOTIFY reaches every exchange that LISTENs (with PGlite there is only one process).
 */
import pg from "pg";
import type { Logger, Queryable } from "@ndx/platform";
import { iso } from "./time.ts";

export interface Revision {
  readonly revision: number;
  readonly at: string;
}

const revisionChannel = "ndx_exchange_revision";

/** Moves the revision inside `tx` and queues its NOTIFY, delivered on commit. */
export async function bumpRevision(tx: Queryable): Promise<Revision> {
  const { rows } = await tx.query<{ revision: number; changed_at: unknown }>(
    "UPDATE exchange_revision SET revision = revision + 1, changed_at = clock_timestamp() RETURNING revision::integer AS revision, changed_at",
  );
  const row = rows[0];
  if (row === undefined) throw new Error("the exchange has no revision row; were its migrations applied?");
  const revision = { revision: row.revision, at: iso(row.changed_at) };
  await tx.query("SELECT pg_notify($1, $2)", [revisionChannel, JSON.stringify(revision)]);
  return revision;
}

export async function readRevision(db: Queryable): Promise<Revision> {
  const { rows } = await db.query<{ revision: number; changed_at: unknown }>(
    "SELECT revision::integer AS revision, changed_at FROM exchange_revision",
  );
  const row = rows[0];
  if (row === undefined) throw new Error("the exchange has no revision row; were its migrations applied?");
  return { revision: row.revision, at: iso(row.changed_at) };
}

export interface RevisionFeed {
  /** The newest revision this process knows of. */
  latest(): Revision;
  /**
   * Whether it keeps up: false while the LISTEN connection is lost, when other processes' changes may be missed. The
   * register stream sends no heartbeat then, so followers go stale (and refuse) instead of trusting an old revision.
   */
  live(): boolean;
  /** Called with every newer revision, in order of arrival; returns the unsubscribe. */
  subscribe(listener: (revision: Revision) => void): () => void;
  /** A commit of this process: heard at once, without waiting for its NOTIFY. */
  announce(revision: Revision): void;
  close(): Promise<void>;
}

export interface RevisionFeedOptions {
  readonly db: Queryable;
  /** The PostgreSQL URL to LISTEN on; other exchange processes' commits arrive through it. @default undefined: this process only */
  readonly listenUrl?: string | undefined;
  readonly logger: Logger;
  /** Wait before listening again after a lost connection. @default 1000 */
  readonly reconnectMs?: number;
}

export async function openRevisionFeed(options: RevisionFeedOptions): Promise<RevisionFeed> {
  const { db, logger, reconnectMs = 1000 } = options;
  let latest = await readRevision(db);
  const listeners = new Set<(revision: Revision) => void>();
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const heard = (revision: Revision) => {
    if (revision.revision <= latest.revision) return;
    latest = revision;
    for (const listener of listeners) listener(revision);
  };

  // Without a listener to keep up (PGlite, one process) every change is this process's own: always live.
  let listening = options.listenUrl === undefined;
  const lost = (c: pg.Client, url: string, err?: unknown) => {
    if (client !== c) return;
    client = undefined;
    listening = false;
    if (closed) return;
    logger.warn({ err }, "the revision listener lost its connection; listening again");
    void c.end().catch(() => undefined);
    schedule(url);
  };

  const listen = async (url: string): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    c.on("notification", (message) => {
      try {
        const parsed = JSON.parse(message.payload ?? "") as Revision;
        if (Number.isInteger(parsed.revision) && typeof parsed.at === "string") heard(parsed);
      } catch {
        logger.warn("an unreadable revision notification was ignored");
      }
    });
    c.on("error", (err) => lost(c, url, err));
    c.on("end", () => lost(c, url));
    try {
      await c.connect();
      await c.query(`LISTEN ${revisionChannel}`);
    } catch (err) {
      void c.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await c.end();
      return;
    }
    client = c;
    // What was committed while nobody listened.
    heard(await readRevision(db));
    listening = true;
  };
  const schedule = (url: string) => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      listen(url).catch((err: unknown) => {
        logger.warn({ err }, "the revision listener could not connect");
        schedule(url);
      });
    }, reconnectMs);
    retry.unref();
  };
  if (options.listenUrl !== undefined) await listen(options.listenUrl);

  return {
    latest: () => latest,
    live: () => listening,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce: heard,
    async close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      listeners.clear();
      await client?.end().catch(() => undefined);
    },
  };
}
