/** The console reads the gateway's audit summary with the shared contract: what the gateway sends, and nothing else. */
import { describe, expect, it } from "vitest";
import { readAuditSummary, type AuditSummary } from "../src/gateway/auditSummary.ts";

const zeros = [0, 0];
const summary: AuditSummary = {
  days: 2,
  dates: ["2026-12-05", "2026-12-06"],
  requests: [{ application: "passport-app", counts: [3, 1] }],
  decisions: { permit: [3, 1], consent_required: zeros, forbidden: zeros, unauthenticated: zeros, bad_request: zeros, unavailable: zeros },
  consent: { available: false, reason: "the consent engine could not be reached" },
  generatedAt: "2026-12-06T10:30:00.000Z",
};

describe("reading the audit summary", () => {
  it("takes the gateway's answer as it is", () => {
    expect(readAuditSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
  });

  it("does not take an answer whose window, time or counts do not hold together", () => {
    expect(readAuditSummary({ ...summary, days: 14 })).toBeUndefined();
    expect(readAuditSummary({ ...summary, generatedAt: "yesterday" })).toBeUndefined();
    expect(readAuditSummary({ ...summary, requests: [{ application: "passport-app", counts: [3] }] })).toBeUndefined();
    expect(readAuditSummary({ ...summary, consent: { available: true } })).toBeUndefined();
  });
});
