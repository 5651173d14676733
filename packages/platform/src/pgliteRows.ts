/**
 * The rows of a prepared statement's reply on PGlite (pgliteProtocol.ts speaks the messages): the columns from the
 * RowDescription its Describe answered, once, and each DataRow's values in text format parsed with the instance's own
 * type parsers (`PGlite.parsers`, with the array types it reads at start-up) — the same values, of the same
 * JavaScript types, as PGlite's `query()` gives.
 */
import { types, type ParserOptions } from "@electric-sql/pglite";
import { commandRows, eachMessage } from "./pgliteProtocol.ts";

/** A result column: its name and its type's OID. */
export interface Column {
  readonly name: string;
  readonly type: number;
}

const decoder = new TextDecoder();

/** The columns a Describe's RowDescription names (none for a statement that returns no rows). */
export function readColumns(reply: Uint8Array): Column[] {
  const columns: Column[] = [];
  eachMessage(reply, (type, body, view) => {
    if (type !== 0x54 /* T */) return;
    const count = view.getInt16(0);
    let at = 2;
    for (let i = 0; i < count; i += 1) {
      const end = body.indexOf(0, at);
      const name = decoder.decode(body.subarray(at, end));
      // After the name: table OID (4), column number (2), type OID (4), type size (2), type modifier (4), format (2).
      columns.push({ name, type: view.getInt32(end + 1 + 4 + 2) });
      at = end + 1 + 18;
    }
  });
  return columns;
}

/** The rows of a Bind/Execute/Sync reply, as objects keyed by column name, and the rows the command tag counts. */
export function readRows<R>(reply: Uint8Array, columns: readonly Column[], parsers: ParserOptions): { rows: R[]; rowCount: number } {
  const rows: R[] = [];
  let rowCount = 0;
  eachMessage(reply, (type, body, view) => {
    if (type === 0x44 /* D */) {
      const row: Record<string, unknown> = {};
      const count = view.getInt16(0);
      let at = 2;
      for (let i = 0; i < count; i += 1) {
        const length = view.getInt32(at);
        at += 4;
        const column = columns[i];
        if (column === undefined) throw new Error("a row has more values than its statement has columns");
        row[column.name] = length < 0 ? null : types.parseType(decoder.decode(body.subarray(at, at + length)), column.type, parsers);
        at += Math.max(length, 0);
      }
      rows.push(row as R);
    } else if (type === 0x43 /* C */) rowCount = commandRows(body);
  });
  return { rows, rowCount };
}
