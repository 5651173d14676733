/**
 * What the gateway's thread and its database worker (dbWorker.ts, workerDb.ts) say to each other: one request per
 * `Db` call, answered once by its id. Errors cross as their name, message and PostgreSQL fields (the SQLSTATE `code`
 * above all, which callers test), never as a stack.
 */
export type DbRequest =
  | { readonly id: number; readonly op: "query"; readonly sql: string; readonly params: readonly unknown[]; readonly tx?: number }
  | { readonly id: number; readonly op: "run" | "select"; readonly name: string; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly id: number; readonly op: "exec"; readonly sql: string }
  | { readonly id: number; readonly op: "begin" | "commit" | "rollback"; readonly tx: number }
  | { readonly id: number; readonly op: "close" };

export type DbReply = { readonly id: number; readonly ok: true; readonly value?: unknown } | { readonly id: number; readonly ok: false; readonly error: WireError };

/** An error as it crosses threads. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The string fields a PostgreSQL error (pg's DatabaseError, PGlite's) carries beside its message. */
const fieldNames = ["code", "severity", "detail", "hint", "position", "schema", "table", "column", "constraint", "routine"] as const;

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, string> = {};
  for (const f of fieldNames) {
    const v: unknown = (error as unknown as Record<string, unknown>)[f];
    if (typeof v === "string") fields[f] = v;
  }
  return { name: error.name, message: error.message, fields };
}

export function fromWire(wire: WireError): Error {
  const error = Object.assign(new Error(wire.message), wire.fields);
  error.name = wire.name;
  return error;
}
