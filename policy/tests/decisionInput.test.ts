import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decisionInputOf, type DecisionInput } from "../src/index.ts";

/** The analysis of one Rego module, parsed by the real opa. */
function analyse(rego: string): DecisionInput {
  const dir = mkdtempSync(join(tmpdir(), "ndx-reads-"));
  writeFileSync(join(dir, "policy.rego"), `package probe\n\n${rego}\n`);
  return decisionInputOf(dir);
}

const paths = (d: DecisionInput, which: "read" | "counted") => (d.memoise ? d[which].map((p) => p.join(".")).sort() : undefined);

describe("what the policy reads of its input", () => {
  it("finds in our policy every input path it reads, and that it only counts the citizens", () => {
    const ours = decisionInputOf();
    expect(ours.memoise).toBe(true);
    expect(paths(ours, "counted")).toEqual(["subjects"]);
    const read = paths(ours, "read") ?? [];
    expect(read).toEqual(expect.arrayContaining(["caller", "consumer.id", "purpose", "fields", "consent.covered", "time.hour", "time.weekday"]));
    // Not read, so not part of a decision's key: the citizens' ids, the consent ids and the exact time.
    expect(read.filter((p) => p.startsWith("subjects") || p.startsWith("consent.consentIds") || p === "time.iso")).toEqual([]);
  });

  it("keeps a path up to its last constant key", () => {
    const d = analyse(`allow if { some f in input.fields; f.classification == "PUBLIC"; input.a.b[input.k] == 1 }`);
    expect(paths(d, "read")).toEqual(["a.b", "fields", "k"]);
  });

  it("keeps the citizens whole as soon as a rule looks at who they are", () => {
    const d = analyse(`n := count(input.subjects)\n\nvip if { input.subjects[_] == "199012345678" }`);
    expect(paths(d, "read")).toEqual(["subjects"]);
    expect(paths(d, "counted")).toEqual([]);
  });

  it("keeps the whole input when a rule takes it whole, directly or through an alias", () => {
    expect(paths(analyse(`x := input\n\ny if x.subjects[0] == "1"`), "read")).toEqual([""]);
    expect(paths(analyse(`y if object.get(input, ["subjects", 0], "") == "1"`), "read")).toEqual([""]);
  });

  it("counts an import of an input path as reading it", () => {
    const d = analyse(`import input.subjects as who\n\ny if who[0] == "1"`);
    expect(paths(d, "read")).toEqual(["subjects"]);
  });

  it("turns memoising off for a policy that asks the clock, chance or the network", () => {
    for (const [rule, builtin] of [
      [`late if time.now_ns() > 0`, "time.now_ns"],
      [`lucky if rand.intn("x", 10) == 1`, "rand.intn"],
      [`ok if http.send({"method": "get", "url": "http://x"}).status_code == 200`, "http.send"],
    ] as const) {
      const d = analyse(rule);
      expect(d).toEqual({ memoise: false, version: d.version, why: `the policy calls ${builtin}` });
    }
  });

  it("allows the policy's own functions and data", () => {
    const d = analyse(`f(x) := x + 1\n\ny if f(input.n) == data.limits.n`);
    expect(d.memoise).toBe(true);
    expect(paths(d, "read")).toEqual(["n"]);
  });
});
