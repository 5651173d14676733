/**
 * The Postgres/PGlite switch. Every part talks to Postgres through this one small interface, with the same SQL and
 * the same `$1` parameters on both backends: a real server through `pg` when a `DATABASE_URL` is given, otherwise
 * PGlite (Postgres compiled to wasm) on disk or in memory. Each part lives in its own Postgres schema.
 */
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import pg from "pg";
import { createPgliteDatabase, holdsDatabase } from "./pgliteCreate.ts";
import { bindExecuteMessage, parseDescribeMessage, parseMessage, readReply } from "./pgliteProtocol.ts";
import { readColumns, readRows, type Column } from "./pgliteRows.ts";

export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface Queryable {
  /** One statement with `$n` parameters. Never interpolate input into `sql`. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * One statement that returns no rows (INSERT, UPDATE, DELETE), prepared once under `name` and from then on only
   * bound and executed, without being parsed and planned again. For a hot statement: the audit INSERT.
   */
  runPrepared(name: string, sql: string, params: readonly unknown[]): Promise<{ rowCount: number }>;
  /**
   * One statement that only reads, prepared once under `name` and from then on only bound and executed: for a hot
   * read (the registry's person lookup, a third of PGlite's CPU of `query()`). The rows are `query()`'s, value for value.
   */
  selectPrepared<R = Record<string, unknown>>(name: string, sql: string, params: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** A postgres:// URL. When absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite's data directory; absent means in memory. Ignored with `url`. */
  dataDir?: string | undefined;
  /** The Postgres schema that holds this part's tables; it becomes the search path. */
  schema: string;
  /** Upper bound of pooled connections to a real server. @default 10 */
  poolSize?: number;
  /**
   * Longest a statement may wait for a real server's answer before it fails (a server that hangs, or a connection
   * whose packets are dropped, must not hold a caller — such as the audit log — for ever). @default 30000
   */
  queryTimeoutMs?: number;
  /** Longest to wait for a new connection to a real server. @default 10000 */
  connectTimeoutMs?: number;
  /**
   * Open only a database that is already there: no PGlite directory and no schema is created, and a missing one is
   * an error that names it (a verifier must not create what it checks). @default false
   */
  existing?: boolean;
  /**
   * PostgreSQL settings for PGlite, given at its start (`-c name=value` after PGlite's own), over
   * `pgliteDefaults`. Ignored with `url`. @default {}
   */
  pgliteSettings?: Readonly<Record<string, string>>;
}

/**
 * What every part's PGlite starts with. Postgres's 128 MB of shared buffers are allocated and zeroed inside the
 * wasm memory at start, so each part that embeds PGlite held ~150 MB of it resident for databases of a few MB (the
 * registry's seed, the consent engine's grants, the exchange's register, the identity provider's sessions; the
 * audit trail is read by its newest pages or by index). 16 MB: ~130 MB less per part, measured.
 */
export const pgliteDefaults: Readonly<Record<string, string>> = { shared_buffers: "16MB" };

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** The statement prepared under `name` (if any), which must be `sql`: one name never stands for two statements. */
function sameStatement<K extends { readonly sql: string }>(name: string, sql: string, known: K | undefined): K | undefined {
  if (known !== undefined && known.sql !== sql) throw new Error(`prepared statement ${name} is already another statement`);
  return known;
}

export async function openDb(options: DbOptions): Promise<Db> {
  if (!schemaName.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  return options.url === undefined ? openPglite(options) : openPostgres(options.url, options);
}

async function openPglite(options: DbOptions): Promise<Db> {
  if (options.existing === true) {
    if (options.dataDir === undefined || !holdsDatabase(options.dataDir)) {
      throw new Error(`no PGlite database at ${options.dataDir ?? "(memory)"}`);
    }
  }
  const settings = Object.entries({ ...pgliteDefaults, ...options.pgliteSettings }).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  const startParams = [...PGlite.defaultStartParams, ...settings];
  if (options.dataDir !== undefined && !holdsDatabase(options.dataDir)) {
    mkdirSync(options.dataDir, { recursive: true });
    await createPgliteDatabase(options.dataDir, startParams);
  }
  const lite = await PGlite.create(options.dataDir ?? "memory://", { startParams });
  if (options.existing === true) {
    await requireSchema(lite, options.schema).catch(async (error: unknown) => {
      await lite.close();
      throw error;
    });
  }
  // The schema name is validated above; identifiers cannot be parameters.
  await lite.exec(`${options.existing === true ? "" : `CREATE SCHEMA IF NOT EXISTS ${options.schema}; `}SET search_path TO ${options.schema}, public;`);
  const wrap = (q: PGlite | Transaction): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(sql, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  });
  const self = wrap(lite);
  // Statements prepared on this connection, by name: their SQL, and the columns of those that return rows.
  const prepared = new Map<string, { readonly sql: string; readonly columns?: readonly Column[] }>();
  const knownAs = (name: string, sql: string) => sameStatement(name, sql, prepared.get(name));
  // Exclusive as query() is: never inside someone else's open transaction, never between another query's messages.
  const exclusive = <T>(fn: () => Promise<T>) => lite._runExclusiveTransaction(() => lite.runExclusive(fn));
  return {
    kind: "pglite",
    query: self.query,
    runPrepared: (name, sql, params) =>
      exclusive(async () => {
        if (knownAs(name, sql) === undefined) {
          readReply(await lite.execProtocolRaw(parseMessage(name, sql)));
          prepared.set(name, { sql });
        }
        return readReply(await lite.execProtocolRaw(bindExecuteMessage(name, params)));
      }),
    selectPrepared: <R>(name: string, sql: string, params: readonly unknown[]) =>
      exclusive(async () => {
        let columns = knownAs(name, sql)?.columns;
        if (columns === undefined) {
          // Throws the server's error, as readReply would, when it refuses the statement.
          columns = readColumns(await lite.execProtocolRaw(parseDescribeMessage(name, sql)));
          prepared.set(name, { sql, columns });
        }
        // A read leaves nothing to sync to the file system.
        return readRows<R>(await lite.execProtocolRaw(bindExecuteMessage(name, params), { syncToFs: false }), columns, lite.parsers);
      }),
    async exec(sql) {
      await lite.exec(sql);
    },
    transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
    close: () => lite.close(),
  };
}

async function requireSchema(db: { query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }> }, schema: string): Promise<void> {
  const found = await db.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
  if (found.rows.length === 0) throw new Error(`the database has no schema ${schema}`);
}

async function openPostgres(url: string, options: DbOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema},public`,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // A dead peer is noticed by TCP even when no statement is waiting.
    keepAlive: true,
  });
  // An idle client that loses its server must not crash the process.
  pool.on("error", () => undefined);
  const run = async <R>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[]) => {
    const result = await client.query(sql, [...params]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  };
  if (options.existing === true) {
    await requireSchema(pool, options.schema).catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
  } else await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  // pg would notice a name given to another statement only on a connection that prepared it already: told at once here, as on PGlite.
  const statements = new Map<string, { readonly sql: string }>();
  const named = (name: string, sql: string): string => {
    if (sameStatement(name, sql, statements.get(name)) === undefined) statements.set(name, { sql });
    return name;
  };
  return {
    kind: "postgres",
    query: (sql, params = []) => run(pool, sql, params),
    // pg prepares a named statement once per connection and reuses it.
    async runPrepared(name, sql, params) {
      const result = await pool.query({ name: named(name, sql), text: sql, values: [...params] });
      return { rowCount: result.rowCount ?? 0 };
    },
    async selectPrepared<R>(name: string, sql: string, params: readonly unknown[]) {
      const result = await pool.query({ name: named(name, sql), text: sql, values: [...params] });
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const value = await fn({ query: (sql, params = []) => run(client, sql, params) });
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
