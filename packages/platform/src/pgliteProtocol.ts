/**
 * Prepared statements on PGlite, spoken in the PostgreSQL frontend/backend protocol (extended query) through
 * PGlite's public `execProtocolRaw`. PGlite's own `query()` parses, describes and plans every statement on every call;
 * a statement prepared once is only bound and executed (a fifth less CPU for the audit INSERT, bench/PROFILE.md).
 * Parameters go as separate values in text format, exactly as `pg` sends them: nothing is spliced into SQL.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A parameter in PostgreSQL's text format, as `pg` prepares values: `null` for SQL NULL. */
export function textParameter(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

/** `{"a","b\"c",NULL}`: every element quoted, backslash and double quote escaped, so no element can break out. */
export function arrayLiteral(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = textParameter(item);
    return text === null ? "NULL" : `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  });
  return `{${parts.join(",")}}`;
}

/** Frontend messages, framed: a type byte, an Int32 length (itself included), the body. */
class Messages {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  add(type: "P" | "B" | "E" | "S", body: readonly Uint8Array[] = []): this {
    const length = 4 + body.reduce((n, b) => n + b.length, 0);
    const head = new Uint8Array(5);
    head[0] = type.charCodeAt(0);
    new DataView(head.buffer).setInt32(1, length);
    this.chunks.push(head, ...body);
    this.size += 1 + length;
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

const cString = (s: string): Uint8Array => encoder.encode(`${s}\0`);
const int16 = (n: number): Uint8Array => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setInt16(0, n);
  return b;
};
const uint16 = (n: number): Uint8Array => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n);
  return b;
};
const int32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
};

/** Parse (named statement, parameter types left to the server), then Sync. */
export function parseMessage(name: string, sql: string): Uint8Array {
  return new Messages().add("P", [cString(name), cString(sql), int16(0)]).add("S").bytes();
}

/** Bind the named statement to `params` (all text), Execute it, Sync: one transaction, committed at Sync. */
export function bindExecuteMessage(name: string, params: readonly unknown[]): Uint8Array {
  if (params.length > 65535) throw new RangeError(`too many parameters: ${params.length}`);
  // The parameter count is unsigned on the wire (up to 65535), unlike the other Int16 fields.
  const body: Uint8Array[] = [cString(""), cString(name), int16(0), uint16(params.length)];
  for (const value of params) {
    const text = textParameter(value);
    if (text === null) body.push(int32(-1));
    else {
      const bytes = encoder.encode(text);
      body.push(int32(bytes.length), bytes);
    }
  }
  body.push(int16(0));
  return new Messages().add("B", body).add("E", [cString(""), int32(0)]).add("S").bytes();
}

/** What the server said to an error-free exchange. */
export interface ProtocolReply {
  /** Rows affected, from the last CommandComplete tag (`INSERT 0 12` → 12). */
  readonly rowCount: number;
}

/** A server error, with the SQLSTATE in `code` as `pg` and PGlite report it. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/** Reads the backend's messages: throws on an ErrorResponse, otherwise returns the rows affected. */
export function readReply(reply: Uint8Array): ProtocolReply {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  let rowCount = 0;
  for (let at = 0; at + 5 <= reply.length; ) {
    const type = String.fromCharCode(reply[at] as number);
    const length = view.getInt32(at + 1);
    const body = reply.subarray(at + 5, at + 1 + length);
    if (type === "E") {
      const fields = new Map<string, string>();
      for (let i = 0; i < body.length && body[i] !== 0; ) {
        const end = body.indexOf(0, i + 1);
        fields.set(String.fromCharCode(body[i] as number), decoder.decode(body.subarray(i + 1, end)));
        i = end + 1;
      }
      throw new ProtocolError(fields.get("M") ?? "the database refused the statement", fields.get("C"));
    }
    if (type === "C") {
      const tag = decoder.decode(body.subarray(0, body.indexOf(0)));
      rowCount = Number(/ (\d+)$/.exec(tag)?.[1] ?? 0);
    }
    at += 1 + length;
  }
  return { rowCount };
}
