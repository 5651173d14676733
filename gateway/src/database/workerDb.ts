/**
 * The gateway's embedded database in a worker thread (dbWorker.ts), behind the same `Db` interface as in process.
 * PGlite runs each statement synchronously on the thread that calls it; in process, every audit INSERT (0.5-0.7 ms
 * of CPU a request under load, bench/PROFILE.md) held up every request on the gateway's thread. Here the thread
 * only posts the statement and its parameters and awaits the answer: a request still waits until its decision is
 * committed, but the work happens on the worker's thread (on another core when one is free).
 *
 * Failure is closed, not hidden: when the worker dies every call in flight and every later one rejects, so the audit
 * log turns unhealthy and personal data stops being served, as when an in-process database fails.
 */
import { Worker } from "node:worker_threads";
import type { Db, Queryable, QueryResult } from "@ndx/platform";
import { fromWire, type DbReply, type DbRequest } from "./dbMessages.ts";
import type { DbWorkerData } from "./dbWorker.ts";

export interface WorkerDbOptions {
  /** PGlite's data directory; absent means in memory. */
  readonly dataDir?: string | undefined;
  /** The Postgres schema that holds the gateway's tables; it becomes the search path. */
  readonly schema: string;
}

type Pending = { readonly resolve: (value: unknown) => void; readonly reject: (error: Error) => void };
/** A request without its id, which `call` gives it. */
type Ask = DbRequest extends infer R ? (R extends DbRequest ? Omit<R, "id"> : never) : never;

export async function openWorkerDb(options: WorkerDbOptions): Promise<Db> {
  // A new database is created by a child process of its own (openDb, pgliteCreate.ts): initdb's memory leaves with it.
  return startWorker({ dataDir: options.dataDir, schema: options.schema });
}

/** The worker's young generation, in MB (V8 `resourceLimits`). */
const dbWorkerYoungGenerationMb = 8;

async function startWorker(data: DbWorkerData): Promise<Db> {
  // Named, so that its CPU can be told from the serving thread's in /proc/<pid>/task/*/comm.
  const worker = new Worker(new URL("./dbWorker.ts", import.meta.url), {
    workerData: data,
    name: "ndx-db",
    // What the thread keeps alive is small (PGlite's wrapper, one statement at a time); its garbage is the messages.
    // V8 otherwise gave it a 64 MB new space (its default on this 24 GB machine): ~40 MB more resident, measured.
    resourceLimits: { maxYoungGenerationSizeMb: dbWorkerYoungGenerationMb },
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let dead: Error | undefined;
  // While closing, the worker is waited for until it has exited.
  let closing = false;

  // The worker keeps the process alive only while a call waits for it (a CLI that forgets to close still exits).
  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0 && !closing) worker.unref();
    return p;
  };
  const ready = new Promise<unknown>((resolve, reject) => pending.set(0, { resolve, reject }));
  worker.on("message", (m: DbReply) => {
    const p = settle(m.id);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(fromWire(m.error));
  });
  const die = (error: Error): void => {
    dead ??= error;
    for (const id of [...pending.keys()]) settle(id)?.reject(dead);
  };
  worker.on("error", (error: Error) => die(Object.assign(new Error(`the database worker failed: ${error.message}`), { name: "DatabaseWorkerError" })));
  worker.on("exit", () => die(Object.assign(new Error("the database worker has stopped"), { name: "DatabaseWorkerError" })));

  const call = <T>(ask: Ask): Promise<T> => {
    if (dead !== undefined) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...ask, id });
    });
  };
  const query = <R>(sql: string, params: readonly unknown[] = [], tx?: number): Promise<QueryResult<R>> =>
    call<QueryResult<R>>(tx === undefined ? { op: "query", sql, params } : { op: "query", sql, params, tx });

  await ready;
  return {
    kind: "pglite",
    query,
    runPrepared: (name, sql, params) => call<{ rowCount: number }>({ op: "run", name, sql, params }),
    selectPrepared: <R>(name: string, sql: string, params: readonly unknown[]) => call<QueryResult<R>>({ op: "select", name, sql, params }),
    exec: (sql) => call<void>({ op: "exec", sql }),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const tx = nextTx++;
      await call<void>({ op: "begin", tx });
      let value: T;
      try {
        value = await fn({ query: (sql, params) => query(sql, params, tx) });
      } catch (error) {
        await call<void>({ op: "rollback", tx }).catch(() => undefined);
        throw error;
      }
      await call<void>({ op: "commit", tx });
      return value;
    },
    async close() {
      if (dead !== undefined) return;
      closing = true;
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      await call<void>({ op: "close" });
      await exited;
    },
  };
}
