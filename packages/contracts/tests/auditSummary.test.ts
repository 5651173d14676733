/** The audit summary's wire shape: what the gateway sends is what the console accepts, and nothing misaligned is. */
import { describe, expect, it } from "vitest";
import { parseAuditSummary, type AuditSummary } from "../src/auditSummary.ts";

const two = [0, 3];
const summary: AuditSummary = {
  days: 2,
  dates: ["2026-12-05", "2026-12-06"],
  requests: [{ application: "passport-app", counts: [0, 2] }],
  decisions: { permit: [0, 2], consent_required: two, forbidden: two, unauthenticated: two, bad_request: two, unavailable: two },
  consent: { available: true, answers: { granted: [1, 0], denied: two, revoked: two, expired: two } },
  generatedAt: "2026-12-06T10:30:00.000Z",
};
const problem = (value: unknown) => {
  const parsed = parseAuditSummary(value);
  return parsed.ok ? undefined : parsed.problem;
};

describe("the audit summary contract", () => {
  it("accepts a summary, with the consent engine's answers or the reason they are missing", () => {
    expect(parseAuditSummary(summary)).toEqual({ ok: true, value: summary });
    const without = { ...summary, consent: { available: false, reason: "the consent engine could not be reached" } };
    expect(parseAuditSummary(JSON.parse(JSON.stringify(without)))).toEqual({ ok: true, value: without });
  });

  it("refuses a missing decision kind, a bad date, a negative or fractional count, and consent that is neither", () => {
    const { unavailable: _, ...fewer } = summary.decisions;
    expect(problem({ ...summary, decisions: fewer })).toMatch(/decisions/);
    expect(problem({ ...summary, dates: ["2026-12-05", "6 December"] })).toMatch(/dates/);
    expect(problem({ ...summary, requests: [{ application: "passport-app", counts: [0, -1] }] })).toMatch(/requests/);
    expect(problem({ ...summary, requests: [{ application: "passport-app", counts: [0, 1.5] }] })).toMatch(/requests/);
    expect(problem({ ...summary, consent: { available: false } })).toBeDefined();
    expect(problem({ ...summary, consent: { available: true, reason: "x" } })).toBeDefined();
    expect(problem(null)).toBeDefined();
  });

  it("refuses counts that do not align with the dates", () => {
    expect(problem({ ...summary, requests: [{ application: "passport-app", counts: [2] }] })).toBe("/requests/0/counts has 1 counts for 2 dates");
    expect(problem({ ...summary, decisions: { ...summary.decisions, forbidden: [0, 0, 0] } })).toBe("/decisions/forbidden has 3 counts for 2 dates");
    const answers = { granted: [1, 0], denied: two, revoked: two, expired: [] };
    expect(problem({ ...summary, consent: { available: true, answers } })).toBe(
      "/consent/answers/expired has 0 counts for 2 dates",
    );
    expect(problem({ ...summary, days: 3 })).toBe("/dates has 2 days, not 3");
  });
});
