import { describe, expect, it } from "vitest";
import { deeplyFrozen, rememberFrozen } from "../src/frozen.ts";

describe("work remembered for values that cannot change", () => {
  it("derives once for a list frozen all the way down, and each time for anything that could still change", () => {
    let calls = 0;
    const count = rememberFrozen((list: readonly unknown[]) => ((calls += 1), list.length));
    const frozen = Object.freeze([Object.freeze({ field: "Person.fullName" })]);
    count(frozen);
    count(frozen);
    expect(calls).toBe(1);
    for (const open of [[{ field: "a" }], Object.freeze([{ field: "a" }])]) {
      calls = 0;
      count(open);
      count(open);
      expect(calls).toBe(2);
    }
  });

  it("counts as frozen only plain data without accessors", () => {
    expect(deeplyFrozen(Object.freeze({ a: Object.freeze([1, "x", null]) }))).toBe(true);
    expect(deeplyFrozen(Object.freeze({ a: [1] }))).toBe(false);
    expect(deeplyFrozen(Object.freeze(new Date(0)))).toBe(false);
    expect(deeplyFrozen(Object.freeze({ get a() { return Math.random(); } }))).toBe(false);
  });
});
