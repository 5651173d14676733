import { describe, expect, it } from "vitest";
import { arrayLiteral, bindExecuteMessage, readReply, textParameter } from "../src/pgliteProtocol.ts";

describe("parameters in PostgreSQL's text format", () => {
  it("quotes every array element and escapes what could end it", () => {
    expect(arrayLiteral(['a"b', "c\\d", "e,f", null, "NULL"])).toBe('{"a\\"b","c\\\\d","e,f",NULL,"NULL"}');
    expect(arrayLiteral([["x"], []])).toBe('{{"x"},{}}');
  });

  it("sends values as pg does: dates in ISO 8601, booleans as t/f, bytes as hex, objects as JSON", () => {
    expect(textParameter(new Date("2026-11-24T00:00:00.000Z"))).toBe("2026-11-24T00:00:00.000Z");
    expect([textParameter(true), textParameter(false), textParameter(undefined), textParameter(10n)]).toEqual(["t", "f", null, "10"]);
    expect(textParameter(Uint8Array.of(1, 171))).toBe("\\x01ab");
    expect(textParameter({ a: 1 })).toBe('{"a":1}');
  });

  it("frames Bind, Execute and Sync with lengths that add up, NULL as length -1", () => {
    const bytes = bindExecuteMessage("s", ["é", null]);
    const view = new DataView(bytes.buffer);
    const types: string[] = [];
    for (let at = 0; at < bytes.length; at += 1 + view.getInt32(at + 1)) types.push(String.fromCharCode(bytes[at] as number));
    expect(types).toEqual(["B", "E", "S"]);
    // portal "", statement "s", 0 format codes, 2 parameters: "é" (2 bytes in UTF-8), then NULL.
    expect([...bytes.subarray(5, 16)]).toEqual([0, 115, 0, 0, 0, 0, 2, 0, 0, 0, 2]);
    expect(view.getInt32(18)).toBe(-1);
  });

  it("reads the rows affected, and turns an ErrorResponse into an error with its SQLSTATE", () => {
    const message = (type: string, body: string) => {
      const b = new TextEncoder().encode(body);
      const out = new Uint8Array(5 + b.length);
      out[0] = type.charCodeAt(0);
      new DataView(out.buffer).setInt32(1, 4 + b.length);
      out.set(b, 5);
      return out;
    };
    const ok = new Uint8Array([...message("2", ""), ...message("C", "INSERT 0 12\0"), ...message("Z", "I")]);
    expect(readReply(ok)).toEqual({ rowCount: 12 });
    const refused = new Uint8Array([...message("E", "SERROR\0C23505\0Mduplicate key\0\0"), ...message("Z", "I")]);
    expect(() => readReply(refused)).toThrow(expect.objectContaining({ code: "23505", message: "duplicate key" }));
  });
});
