/**
 * Writes operational records off the request path: a request only adds its record to a queue in memory; every
 * `flushMs` (or at `maxBatch` records) the queue goes to the database in INSERTs of at most `maxBatch` records. The
 * queue is bounded: when the database is away for long, the oldest records are dropped and counted (operational
 * records are not evidence — the audit trail is). Once an hour records older than the retention are deleted, 250
 * at a time.
 *
 * Small statements, one after the other, because the audit trail shares the database: on PGlite one connection runs
 * one statement at a time, and a request waits for its decision's INSERT. A 500-record INSERT held the audit for
 * ~10 ms once a second at the bench's load (a latency tail only NDX had), and one DELETE of an hour's records at
 * that load would have held it for seconds. Now no statement of this writer holds it for more than a few ms. Each
 * size's INSERT is prepared once: 23-25 µs of CPU a record on PGlite against 36 µs for a 500-record statement parsed
 * each time (bench/PROFILE.md).
 */
import type { Db, Logger } from "@ndx/platform";
import type { RecordToWrite } from "./operationalRecord.ts";

export interface OperationalWriterOptions {
  readonly db: Db;
  /** How long records are kept. @default 7 */
  readonly retentionDays?: number;
  /** Most time a record waits in memory. @default 1000 */
  readonly flushMs?: number;
  /** Most records in one INSERT (each size is prepared once). @default 32 */
  readonly maxBatch?: number;
  /** Most records waiting; beyond it the oldest are dropped. @default 20000 */
  readonly maxQueue?: number;
  readonly logger?: Logger | undefined;
  /** Told of each batch written (records) and of records dropped. @default none */
  readonly onWrite?: ((records: number) => void) | undefined;
  readonly onDrop?: ((records: number) => void) | undefined;
}

export interface OperationalWriter {
  add(record: RecordToWrite): void;
  /** Writes what is queued now. */
  flush(): Promise<void>;
  /** Deletes records older than the retention; the number deleted. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const width = 14;
const columns = "at, replica, trace_id, caller, consumer, purpose, operation_name, decision, providers, provider_names, request_bytes, response_bytes, duration_ms, status";

/** Records deleted by one statement of the retention sweep. */
const sweepRows = 250;

export function startOperationalWriter(options: OperationalWriterOptions): OperationalWriter {
  const { db, logger } = options;
  const maxBatch = options.maxBatch ?? 32;
  const maxQueue = options.maxQueue ?? 20_000;
  const retentionDays = options.retentionDays ?? 7;
  let queue: RecordToWrite[] = [];
  let writing: Promise<void> | undefined;
  // The INSERT of n records, written once per size.
  const statements: string[] = [];
  const insertOf = (rows: number): string =>
    (statements[rows] ??= `INSERT INTO operational_record (${columns}) VALUES ${Array.from({ length: rows }, (_, i) => `(${Array.from({ length: width }, (_, c) => `$${i * width + c + 1}`).join(",")})`).join(",")}`);

  const write = async (batch: readonly RecordToWrite[]): Promise<void> => {
    const params: unknown[] = [];
    for (const r of batch) {
      params.push(new Date(r.atMs).toISOString(), r.replica, r.traceId, r.caller, r.consumer, r.purpose, r.operationName, r.decision, JSON.stringify(r.providers), [...new Set(r.providers.map((p) => p.provider))], r.requestBytes, r.responseBytes, r.durationMs, r.status);
    }
    await db.runPrepared(`operational_insert_${batch.length}`, insertOf(batch.length), params);
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        await write(batch);
      } catch (error) {
        logger?.warn({ err: error, waiting: queue.length }, "operational records not written; retried at the next flush");
        return;
      }
      queue = queue.slice(batch.length);
      options.onWrite?.(batch.length);
    }
  };
  const flush = (): Promise<void> => {
    writing ??= drain().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  const sweep = async (): Promise<number> => {
    const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
    let deleted = 0;
    for (;;) {
      const { rowCount } = await db.query(
        "DELETE FROM operational_record WHERE ctid IN (SELECT ctid FROM operational_record WHERE at < $1 LIMIT $2)",
        [cutoff, sweepRows],
      );
      deleted += rowCount;
      if (rowCount < sweepRows) return deleted;
    }
  };
  const timer = setInterval(() => void flush(), options.flushMs ?? 1000);
  timer.unref();
  const sweeper = setInterval(() => void sweep().catch((error: unknown) => logger?.warn({ err: error }, "old operational records not deleted")), 3_600_000);
  sweeper.unref();

  return {
    add(record) {
      queue.push(record);
      if (queue.length > maxQueue) {
        const dropped = queue.length - maxQueue;
        queue = queue.slice(dropped);
        options.onDrop?.(dropped);
      }
      if (queue.length >= maxBatch) void flush();
    },
    flush,
    sweep,
    async close() {
      clearInterval(timer);
      clearInterval(sweeper);
      await writing;
      await flush();
    },
  };
}
