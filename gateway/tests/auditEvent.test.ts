import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { outcomesEvent } from "../src/audit/auditBatch.ts";
import { canonicalJson, chainHash, fieldsJson, hashedJson, type AuditContent, type OutcomeEntry } from "../src/audit/auditEvent.ts";

// A small deterministic generator: the same events every run.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
const texts = ["passport-app", "Person.fullName", 'quote " and \\ backslash', "ünïcødé ✓", "line\nbreak", "", "\u0000ctl"];

function event(next: () => number): AuditContent {
  const n = Math.floor(next() * 4);
  return {
    id: randomUUID(),
    at: new Date(Math.floor(next() * 2e12)).toISOString(),
    kind: pick(next, ["decision", "outcome"] as const),
    traceId: randomUUID().replaceAll("-", ""),
    caller: pick(next, ["consumer", "staff", "citizen", null] as const),
    consumer: pick(next, [...texts, null]),
    purpose: pick(next, [...texts, null]),
    operationName: pick(next, [...texts, null]),
    subjects: Array.from({ length: n }, () => pick(next, texts)),
    fields: Array.from({ length: n }, () => ({
      provider: pick(next, texts),
      field: pick(next, texts),
      classification: pick(next, ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"] as const),
    })),
    consentIds: Array.from({ length: n }, () => randomUUID()),
    policyRevision: pick(next, ["0aeada96aac8ee6b", null]),
    decision: pick(next, ["permit", "consent_required", "forbidden", "unauthenticated", "bad_request", null] as const),
    reasons: Array.from({ length: n }, () => pick(next, texts)),
    decisionId: pick(next, [randomUUID(), null]),
    outcome: pick(next, ["ok", "partial", "error", null] as const),
  };
}

function outcomes(next: () => number): OutcomeEntry[] {
  return Array.from({ length: 1 + Math.floor(next() * 5) }, () => ({
    decisionId: randomUUID(),
    traceId: pick(next, [randomUUID().replaceAll("-", ""), ...texts]),
    outcome: pick(next, ["ok", "partial", "error"] as const),
    reasons: Array.from({ length: Math.floor(next() * 3) }, () => pick(next, texts)),
    ...(next() < 0.2 ? { changes: [{ provider: "exchange", action: "suspendApplication", target: pick(next, [...texts, null]), before: { b: 1, a: [texts[2]] }, after: null }] } : {}),
  }));
}

describe("the bytes an audit event is hashed over", () => {
  it("are exactly canonicalJson's for 2,000 varied events", () => {
    const next = random(20261124);
    for (let i = 0; i < 2000; i += 1) {
      const content = event(next);
      const seq = Math.floor(next() * 1e9);
      expect(hashedJson("main", seq, content)).toBe(canonicalJson({ chain: "main", seq, ...content }));
    }
  });

  it("are exactly canonicalJson's for 1,000 batched outcome events, entries with reported changes among them", () => {
    const next = random(20261207);
    for (let i = 0; i < 1000; i += 1) {
      const content = outcomesEvent(outcomes(next));
      expect(hashedJson("main", i, content)).toBe(canonicalJson({ chain: "main", seq: i, ...content }));
    }
  });

  it("stay canonicalJson's for outcome entries and lists of a shape it does not expect", () => {
    const next = random(11);
    const entry = outcomes(next)[0]!;
    // A list with a hole at 0 and a string at 1.
    const holed = (): string[] => Object.assign(new Array<string>(2), { 1: "x" });
    const odd: unknown[] = [
      [{ ...entry, extra: 1 }],
      [{ ...entry, reasons: [1, "x"] }],
      [{ ...entry, reasons: "x" }],
      [{ ...entry, outcome: undefined }],
      // A hole in a list of strings: canonicalJson keeps it a hole.
      [{ ...entry, reasons: holed() }],
      [null, entry],
      "not a list",
      undefined,
    ];
    for (const list of odd) {
      const content = { ...outcomesEvent([]), outcomes: list } as unknown as AuditContent;
      expect(hashedJson("r3", 9, content)).toBe(canonicalJson({ chain: "r3", seq: 9, ...content }));
    }
    const sparseSubjects = { ...outcomesEvent([entry]), subjects: holed() } as unknown as AuditContent;
    expect(hashedJson("r3", 9, sparseSubjects)).toBe(canonicalJson({ chain: "r3", seq: 9, ...sparseSubjects }));
  });

  it("is the SHA-256 of the previous hash, a newline and those bytes", () => {
    const next = random(3);
    for (const content of [event(next), outcomesEvent(outcomes(next))]) {
      const prev = createHash("sha256").update(String(next())).digest("hex");
      const expected = createHash("sha256").update(prev).update("\n").update(canonicalJson({ chain: "main", seq: 42, ...content })).digest("hex");
      expect(chainHash("main", 42, prev, content)).toBe(expected);
    }
  });

  it("stay canonicalJson's for shapes it does not expect (extra keys, undefined values, fields with more keys)", () => {
    const next = random(7);
    const base = event(next);
    const odd: AuditContent[] = [
      { ...base, ...{ extra: "x" } },
      { ...base, purpose: undefined as unknown as null },
      { ...base, fields: [{ provider: "drp", field: "Person.x", classification: "PERSONAL", ...{ note: 1 } }] },
    ];
    const { purpose: _dropped, ...missing } = base;
    for (const content of [...odd, { ...missing, ...{ other: 1 } } as unknown as AuditContent]) {
      expect(hashedJson("r2", 5, content)).toBe(canonicalJson({ chain: "r2", seq: 5, ...content }));
    }
  });

  it("are canonicalJson's for a frozen field list every time, and follow a list that changes", () => {
    const access = (field: string) => ({ provider: "registry", field, classification: "PERSONAL" as const });
    const frozen = Object.freeze([Object.freeze(access("Person.fullName")), Object.freeze(access("Person.birthDate"))]);
    expect(fieldsJson(frozen)).toBe(canonicalJson(frozen));
    expect(fieldsJson(frozen)).toBe(canonicalJson(frozen));
    const mutable = [access("Person.fullName")];
    expect(fieldsJson(mutable)).toBe(canonicalJson(mutable));
    mutable.push(access("Person.sex"));
    expect(fieldsJson(mutable)).toBe(canonicalJson(mutable));
    // Frozen outside, not inside: an element can still change.
    const shallow = Object.freeze([access("Person.fullName")]);
    fieldsJson(shallow);
    (shallow[0] as { field: string }).field = "Person.photo";
    expect(fieldsJson(shallow)).toBe(canonicalJson(shallow));
    // An accessor on a frozen element can answer differently each time.
    let n = 0;
    const moving = Object.freeze([Object.freeze({ provider: "drp", classification: "PERSONAL", get field() { n += 1; return `Person.f${n}`; } })]);
    expect(fieldsJson(moving)).not.toBe(fieldsJson(moving));
  });
});
