/**
 * The database worker: a worker thread that owns the gateway's embedded PGlite database, so that Postgres compiled
 * to wasm (parsing, planning, executing, writing pages) and its protocol work run off the thread that serves
 * requests. It answers the `Db` calls workerDb.ts sends it, one at a time in the order they come, as PGlite would in
 * process. A transaction is held open across calls: BEGIN when asked, each statement in it, COMMIT or ROLLBACK when
 * the other thread's function ends.
 */
import { parentPort, workerData } from "node:worker_threads";
// Only the database module: the platform's index (servers, telemetry, GraphQL) would cost this thread ~70 MB.
import { openDb, type Queryable } from "@ndx/platform/db";
import { toWire, type DbReply, type DbRequest } from "./dbMessages.ts";

/** What the gateway's thread gives the worker. */
export interface DbWorkerData {
  readonly dataDir: string | undefined;
  readonly schema: string;
}

const port = parentPort;
if (port === null) throw new Error("dbWorker.ts runs only as a worker thread");
const { dataDir, schema } = workerData as DbWorkerData;

const reply = (message: DbReply): void => port.postMessage(message);
const fail = (id: number, error: unknown): void => reply({ id, ok: false, error: toWire(error) });

/** An open transaction: its queryable, and how to end it (the id of the COMMIT or ROLLBACK to answer). */
interface OpenTx {
  readonly tx: Queryable;
  readonly end: (commit: boolean, id: number) => void;
}
const open = new Map<number, OpenTx>();
/** Thrown inside a transaction to roll it back when the other thread's function failed (its error stays there). */
class RolledBack extends Error {}

try {
  const db = await openDb({ dataDir, schema });

  const begin = (id: number, key: number): void => {
    let endId: number | undefined;
    void db
      .transaction(
        (tx) =>
          new Promise<void>((resolve, reject) => {
            open.set(key, {
              tx,
              end: (commit, at) => {
                endId = at;
                if (commit) resolve();
                else reject(new RolledBack());
              },
            });
            reply({ id, ok: true });
          }),
      )
      .then(
        () => reply({ id: endId ?? id, ok: true }),
        (error: unknown) => (error instanceof RolledBack ? reply({ id: endId ?? id, ok: true }) : fail(endId ?? id, error)),
      )
      .finally(() => open.delete(key));
  };

  const handle = async (m: DbRequest): Promise<void> => {
    switch (m.op) {
      case "query": {
        const on = m.tx === undefined ? db : open.get(m.tx)?.tx;
        if (on === undefined) throw new Error("no such transaction");
        return reply({ id: m.id, ok: true, value: await on.query(m.sql, m.params) });
      }
      case "run":
        return reply({ id: m.id, ok: true, value: await db.runPrepared(m.name, m.sql, m.params) });
      case "select":
        return reply({ id: m.id, ok: true, value: await db.selectPrepared(m.name, m.sql, m.params) });
      case "exec":
        await db.exec(m.sql);
        return reply({ id: m.id, ok: true });
      case "begin":
        return begin(m.id, m.tx);
      case "commit":
      case "rollback": {
        const tx = open.get(m.tx);
        if (tx === undefined) throw new Error("no such transaction");
        return tx.end(m.op === "commit", m.id);
      }
      case "close":
        await db.close();
        reply({ id: m.id, ok: true });
        return port.close();
    }
  };

  port.on("message", (m: DbRequest) => {
    handle(m).catch((error: unknown) => fail(m.id, error));
  });
  reply({ id: 0, ok: true });
} catch (error) {
  // Opening failed (a bad data directory, a database another process holds): told as the answer to "ready".
  fail(0, error);
  port.close();
}
