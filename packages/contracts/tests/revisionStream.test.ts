import { describe, expect, it } from "vitest";
import { revisionAckAnswer, revisionHeartbeat, revisionStreamEvent, type RevisionAckAnswer, type RevisionStreamEvent } from "../src/index.ts";

const at = "2026-12-01T10:00:00.000Z";
const subscriber = "6f1c2a9e-3b7d-4c1e-9a2f-0d8e5b4c3a21";

describe("the revision stream contract", () => {
  it("accepts the engine's first event, change events, resyncs and heartbeats, and what a newer engine adds", () => {
    const events: RevisionStreamEvent[] = [
      { revision: 3, change: "current", at, subscriber, heartbeatMs: 5000, staleAfterMs: 15000 },
      { revision: 3, change: "current", at, subscriber },
      { revision: 4, change: "revoked", consentId: "cns_1", consumerId: "passport-app", citizenId: "199012345678", at },
      { revision: 5, change: "resync", at },
    ];
    for (const event of events) expect(revisionStreamEvent.problem(event)).toBeUndefined();
    expect(revisionStreamEvent.is({ ...events[2], reason: "citizen" })).toBe(true);
    expect(revisionHeartbeat.problem({ revision: 5, at })).toBeUndefined();
  });

  it("refuses what a follower could not act on", () => {
    expect(revisionStreamEvent.is({ revision: "4", change: "revoked", consentId: "c", consumerId: "p", citizenId: "1", at })).toBe(false);
    expect(revisionStreamEvent.is({ revision: 4, change: "revoked", at })).toBe(false);
    expect(revisionStreamEvent.is({ revision: 4, change: "paused", at })).toBe(false);
    expect(revisionStreamEvent.is({ revision: 3, change: "current", at })).toBe(false);
    expect(revisionStreamEvent.is({ revision: 3, change: "current", at, subscriber, staleAfterMs: -1 })).toBe(false);
    expect(revisionHeartbeat.is({ revision: -1, at })).toBe(false);
    expect(revisionHeartbeat.is(null)).toBe(false);
  });

  it("holds the acknowledgement's answer to every field the follower reads", () => {
    const answer: RevisionAckAnswer = { subscriber, revision: 5, latest: 5, confirmed: true, staleAfterMs: 15000 };
    expect(revisionAckAnswer.problem(answer)).toBeUndefined();
    expect(revisionAckAnswer.problem({ ...answer, confirmed: "yes" })).toBe("/confirmed must be boolean");
    const { staleAfterMs: _s, ...partial } = answer;
    expect(revisionAckAnswer.is(partial)).toBe(false);
  });
});
