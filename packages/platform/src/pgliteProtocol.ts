/**
 * Prepared statements on PGlite, spoken in the PostgreSQL frontend/backend protocol (extended query) through
 * PGlite's public `execProtocolRaw`. PGlite's own `query()` parses, describes and plans every statement on every call;
 * a statement prepared once is only bound and executed (a fifth less CPU for the audit INSERT, bench/PROFILE.md).
 * Parameters go as separate values in text format, exactly as `pg` sends them: nothing is spliced into SQL.
 */

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

/**
 * Frontend messages, framed (a type byte, an Int32 length that counts itself, the body), written into one buffer of
 * the exact size: the audit INSERT binds ~170 parameters, and a small array per field was most of this module's CPU.
 */
class Frames {
  readonly bytes: Uint8Array;
  private readonly utf8: Buffer;
  private readonly view: DataView;
  private at = 0;
  private frame = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.utf8 = Buffer.from(this.bytes.buffer);
    this.view = new DataView(this.bytes.buffer);
  }

  begin(type: "P" | "B" | "D" | "E" | "S"): this {
    this.bytes[this.at] = type.charCodeAt(0);
    this.frame = this.at + 1;
    this.at += 5;
    return this;
  }

  /** Writes the length of the frame begun last. */
  end(): this {
    this.view.setInt32(this.frame, this.at - this.frame);
    return this;
  }

  int16(n: number): this {
    this.view.setInt16(this.at, n);
    this.at += 2;
    return this;
  }

  uint16(n: number): this {
    this.view.setUint16(this.at, n);
    this.at += 2;
    return this;
  }

  int32(n: number): this {
    this.view.setInt32(this.at, n);
    this.at += 4;
    return this;
  }

  /** One ASCII character as a byte (a Describe's target kind). */
  char(c: string): this {
    this.bytes[this.at] = c.charCodeAt(0);
    this.at += 1;
    return this;
  }

  /** UTF-8, without a terminator. */
  text(s: string): this {
    this.at += this.utf8.write(s, this.at, "utf8");
    return this;
  }

  cString(s: string): this {
    this.text(s);
    this.bytes[this.at] = 0;
    this.at += 1;
    return this;
  }

  /** The frames, checked to fill exactly the size they were given. */
  done(): Uint8Array {
    if (this.at !== this.bytes.length) throw new Error(`protocol frames of ${this.at} bytes in a buffer of ${this.bytes.length}`);
    return this.bytes;
  }
}

const cStringSize = (s: string): number => Buffer.byteLength(s, "utf8") + 1;
/** Sync: type byte and length, no body. */
const syncSize = 5;

/** Parse (named statement, parameter types left to the server), then Sync. */
export function parseMessage(name: string, sql: string): Uint8Array {
  const parse = 5 + cStringSize(name) + cStringSize(sql) + 2;
  return new Frames(parse + syncSize).begin("P").cString(name).cString(sql).int16(0).end().begin("S").end().done();
}

/** Parse (named statement), Describe it, then Sync: the reply says its result's columns and their types (pgliteRows.ts). */
export function parseDescribeMessage(name: string, sql: string): Uint8Array {
  const parse = 5 + cStringSize(name) + cStringSize(sql) + 2;
  const describe = 5 + 1 + cStringSize(name);
  return new Frames(parse + describe + syncSize).begin("P").cString(name).cString(sql).int16(0).end().begin("D").char("S").cString(name).end().begin("S").end().done();
}

/** Bind the named statement to `params` (all text), Execute it, Sync: one transaction, committed at Sync. */
export function bindExecuteMessage(name: string, params: readonly unknown[]): Uint8Array {
  if (params.length > 65535) throw new RangeError(`too many parameters: ${params.length}`);
  const texts = params.map(textParameter);
  // Portal "", statement, no parameter format codes (all text), the count, each value, no result format codes.
  const sizes = texts.map((text) => (text === null ? -1 : Buffer.byteLength(text, "utf8")));
  let bind = 5 + 1 + cStringSize(name) + 2 + 2 + 2;
  for (const size of sizes) bind += 4 + Math.max(size, 0);
  const execute = 5 + 1 + 4;
  const frames = new Frames(bind + execute + syncSize).begin("B").cString("").cString(name).int16(0);
  // The parameter count is unsigned on the wire (up to 65535), unlike the other Int16 fields.
  frames.uint16(texts.length);
  texts.forEach((text, i) => {
    frames.int32(sizes[i] ?? -1);
    if (text !== null) frames.text(text);
  });
  frames.int16(0).end();
  return frames.begin("E").cString("").int32(0).end().begin("S").end().done();
}

/** What the server said to an error-free exchange. */
export interface ProtocolReply {
  /** Rows affected, from the last CommandComplete tag (`INSERT 0 12` → 12). */
  readonly rowCount: number;
}

/** A server error, with the SQLSTATE in `code` as `pg` and PGlite report it. */
class ProtocolError extends Error {
  override name = "ProtocolError";
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/**
 * Walks the backend messages of `reply` in order, giving each one's type byte, body and a view on the body; throws the
 * server's error at an ErrorResponse.
 */
export function eachMessage(reply: Uint8Array, on: (type: number, body: Uint8Array, view: DataView) => void): void {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + 5 <= reply.length; ) {
    const length = view.getInt32(at + 1);
    const body = reply.subarray(at + 5, at + 1 + length);
    const type = reply[at] as number;
    if (type === 0x45 /* E */) throw serverError(body);
    on(type, body, new DataView(reply.buffer, reply.byteOffset + at + 5, length - 4));
    at += 1 + length;
  }
}

/** An ErrorResponse's message and SQLSTATE. */
function serverError(body: Uint8Array): ProtocolError {
  const fields = new Map<string, string>();
  for (let i = 0; i < body.length && body[i] !== 0; ) {
    const end = body.indexOf(0, i + 1);
    fields.set(String.fromCharCode(body[i] as number), decoder.decode(body.subarray(i + 1, end)));
    i = end + 1;
  }
  return new ProtocolError(fields.get("M") ?? "the database refused the statement", fields.get("C"));
}

/** The rows a CommandComplete's tag counts (`INSERT 0 12` → 12; `BEGIN` → 0). */
export function commandRows(body: Uint8Array): number {
  const tag = decoder.decode(body.subarray(0, body.indexOf(0)));
  return Number(/ (\d+)$/.exec(tag)?.[1] ?? 0);
}

/** Reads the backend's messages: throws on an ErrorResponse, otherwise returns the rows affected. */
export function readReply(reply: Uint8Array): ProtocolReply {
  let rowCount = 0;
  eachMessage(reply, (type, body) => {
    if (type === 0x43 /* C */) rowCount = commandRows(body);
  });
  return { rowCount };
}
