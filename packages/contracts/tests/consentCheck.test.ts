import { describe, expect, it } from "vitest";
import { consentCheckAnswer, type ConsentCheckAnswer } from "../src/index.ts";

const answer: ConsentCheckAnswer = {
  status: "partial",
  revision: 7,
  covered: [{ provider: "registry", field: "Person.fullName", consentIds: ["cns_1"], validUntil: "2026-12-31T00:00:00.000Z" }],
  missing: [{ provider: "drp", field: "Person.profession" }],
  validUntil: "2026-12-31T00:00:00.000Z",
  checkedAt: "2026-12-01T10:00:00.000Z",
  request: { consentRequestId: "cns_2", consentUrl: "http://portal/consent/cns_2", expiresAt: "2026-12-01T11:00:00.000Z" },
};

describe("the consent check answer contract", () => {
  it("accepts the engine's answers, with or without an opened request, and what a newer engine adds", () => {
    expect(consentCheckAnswer.problem(answer)).toBeUndefined();
    const { request: _request, ...plain } = answer;
    expect(consentCheckAnswer.is({ ...plain, validUntil: null, status: "covered" })).toBe(true);
    expect(consentCheckAnswer.is({ ...answer, newerField: { any: 1 } })).toBe(true);
  });

  it("names the first problem of a malformed answer", () => {
    expect(consentCheckAnswer.problem(null)).toBe("the value must be object");
    expect(consentCheckAnswer.problem({ ...answer, status: "yes" })).toMatch(/^\/status must be equal to one of/);
    expect(consentCheckAnswer.problem({ ...answer, revision: "7" })).toBe("/revision must be integer");
    expect(consentCheckAnswer.problem({ ...answer, covered: [{ provider: "registry", field: "Person.fullName" }] })).toMatch(
      /^\/covered\/0 must have required property/,
    );
    expect(consentCheckAnswer.problem({ ...answer, validUntil: "tomorrow" })).toMatch(/^\/validUntil/);
    const { checkedAt: _checkedAt, ...noTime } = answer;
    expect(consentCheckAnswer.problem(noTime)).toBe("the value must have required property 'checkedAt'");
  });
});
