/** The input bounds every service applies where input enters (inputLimits.ts). */
import { parse, validate, buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { documentNestingError, inputLiteralLimitsRule, jsonValueProblem, variablesError } from "../src/inputLimits.ts";

const nested = (levels: number): unknown => JSON.parse("[".repeat(levels) + "]".repeat(levels));

describe("jsonValueProblem", () => {
  it("accepts ordinary JSON up to the depth limit", () => {
    expect(jsonValueProblem({ a: [1, "x", null, true, { b: 2 }] })).toBeUndefined();
    expect(jsonValueProblem(nested(32))).toBeUndefined();
  });

  it("refuses deeper values without overflowing the stack, however deep", () => {
    expect(jsonValueProblem(nested(33))).toMatch(/deeper than 32/);
    expect(jsonValueProblem(nested(100_000))).toMatch(/deeper than 32/);
    expect(jsonValueProblem(nested(5), { maxDepth: 4 })).toMatch(/deeper than 4/);
  });

  it("refuses NUL in strings and keys", () => {
    expect(jsonValueProblem(["ok", "no\u0000"])).toMatch(/NUL/);
    expect(jsonValueProblem({ "k\u0000": 1 })).toMatch(/NUL.*key/);
  });

  it("bounds the length as JSON when asked", () => {
    expect(jsonValueProblem({ a: "x".repeat(100) }, { maxLength: 50 })).toMatch(/longer than 50/);
    expect(jsonValueProblem({ a: "x".repeat(10) }, { maxLength: 50 })).toBeUndefined();
  });

  it("names the variable at fault", () => {
    expect(variablesError({ ok: 1, bad: nested(40) })?.message).toBe('Variable "$bad" is nested deeper than 32 levels of lists and objects');
    expect(variablesError({ ok: 1 })).toBeUndefined();
  });
});

describe("inputLiteralLimitsRule", () => {
  const schema = buildSchema("scalar JSON type Query { f(v: JSON, s: String): Int }");
  const errors = (query: string, limits = {}) => validate(schema, parse(query), [inputLiteralLimitsRule(limits)]).map((e) => e.message);

  it("refuses literals nested too deep, lists nested too deep, and NUL in string literals", () => {
    expect(errors(`{ f(v: ${"[".repeat(33)}${"]".repeat(33)}) }`)).toEqual([expect.stringMatching(/deeper than 32/)]);
    expect(errors(`{ f(v: ${"[".repeat(5)}${"]".repeat(5)}) }`, { maxLiteralListDepth: 4 })).toEqual([expect.stringMatching(/lists deeper than 4/)]);
    expect(errors('{ f(s: "a\\u0000b") }')).toEqual([expect.stringMatching(/NUL/)]);
    expect(errors(`{ f(v: { a: [1, { b: "c" }] }, s: "fine") }`)).toEqual([]);
  });
});

describe("documentNestingError", () => {
  it("finds a document nested too deep without parsing it, and leaves syntax errors to the parser", () => {
    expect(documentNestingError(`{ f(v: ${"[".repeat(100_000)}${"]".repeat(100_000)}) }`, 128)?.message).toBe("The document nests brackets deeper than 128 levels");
    expect(documentNestingError('{ f(v: [[1]], s: "[[[[[") }', 4)).toBeUndefined();
    expect(documentNestingError("{ f(v: [[[1]]]) }", 4)?.extensions["code"]).toBe("BAD_USER_INPUT");
    expect(documentNestingError('{ f(s: "unterminated }', 3)).toBeUndefined();
  });
});
