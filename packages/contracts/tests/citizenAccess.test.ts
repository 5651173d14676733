import { describe, expect, it } from "vitest";
import { citizenAccessesAnswer, type CitizenAccess } from "../src/index.ts";

const access: CitizenAccess = {
  id: "0b7e6d2c-1f3a-4c5b-8d9e-2a1b3c4d5e6f",
  at: "2026-12-01T10:00:00.000Z",
  consumer: "passport-app",
  purpose: null,
  decision: "permit",
  fields: [{ provider: "registry", field: "Person.fullName" }],
  consentIds: ["cns_1"],
};

describe("the citizen accesses contract", () => {
  it("accepts the gateway's answer, nulls where nothing was known", () => {
    expect(citizenAccessesAnswer.problem({ citizenId: "199012345678", accesses: [access] })).toBeUndefined();
    expect(citizenAccessesAnswer.is({ citizenId: "199012345678", accesses: [{ ...access, consumer: null, decision: null }] })).toBe(true);
  });

  it("refuses an access the portal could not show", () => {
    const answer = (a: unknown) => ({ citizenId: "199012345678", accesses: [a] });
    expect(citizenAccessesAnswer.problem(answer({ ...access, at: "yesterday" }))).toBe('/accesses/0/at must match format "date-time"');
    expect(citizenAccessesAnswer.problem(answer({ ...access, fields: [{ provider: "registry" }] }))).toMatch(/^\/accesses\/0\/fields\/0 must have/);
    expect(citizenAccessesAnswer.problem(answer({ ...access, consentIds: [1] }))).toBe("/accesses/0/consentIds/0 must be string");
    expect(citizenAccessesAnswer.problem({ citizenId: "199012345678" })).toBe("the value must have required property 'accesses'");
  });
});
