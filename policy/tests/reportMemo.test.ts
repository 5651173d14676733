/** Reports (GET /audit/summary) through the real, memoised bundle: the memo keys on the report's name and the roles. */
import { beforeAll, describe, expect, it } from "vitest";
import { buildBundle, loadAccessPolicy, type AccessInput, type AccessPolicy } from "../src/index.ts";
import { registerData } from "./registerData.ts";

const summary: AccessInput = {
  caller: "staff",
  operation: "report",
  report: "auditSummary",
  roles: ["exchange_admin"],
  subjects: [],
  fields: [],
  mutations: [],
  time: { iso: "2026-11-23T12:00:00.000Z", weekday: "Monday", hour: 12, timezone: "UTC" },
};

describe("a report through the memoised policy", () => {
  let policy: AccessPolicy;
  beforeAll(async () => {
    buildBundle();
    policy = await loadAccessPolicy(undefined, { data: registerData(1) });
  });

  it("is remembered by its name and the caller's roles, never answered for another report or role", () => {
    expect(policy.memo.on).toBe(true);
    expect(policy.evaluate(summary).allow).toBe(true);
    expect(policy.evaluate({ ...summary, report: "everything" })).toEqual({ allow: false, reasons: ["everything is not a report"], consentRequired: false });
    expect(policy.evaluate({ ...summary, roles: ["member_admin"] }).allow).toBe(false);
    expect(policy.evaluate({ ...summary, caller: "consumer", consumer: { id: "passport-app" } }).allow).toBe(false);
    expect(policy.evaluate(summary).allow).toBe(true);
  });
});
