/**
 * When a revocation may be answered: once every follower of the revision stream acknowledged it, or can no longer
 * trust its cache (its last confirmed acknowledgement is older than the deadline); followers it cannot see are waited
 * out for the whole deadline. On a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRevisionFollowers, type Settlement } from "../src/revisionFollowers.ts";

const staleAfterMs = 1000;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Tracks whether (and when, on the fake clock) a settlement arrived. */
function watch(promise: Promise<Settlement>) {
  const state: { value?: Settlement; at?: number } = {};
  void promise.then((value) => {
    state.value = value;
    state.at = Date.now();
  });
  return state;
}
const started = () => {
  const followers = createRevisionFollowers({ staleAfterMs, now: () => Date.now() });
  vi.advanceTimersByTime(staleAfterMs); // past the start-up window
  return followers;
};

describe("revision followers", () => {
  it("waits for a silent follower until its last confirmation is a deadline old, and no longer", async () => {
    const followers = started();
    followers.track("a", 5);
    expect(followers.acknowledge("a", 5, 5)).toEqual({ confirmed: true });
    const confirmedAt = Date.now();
    await vi.advanceTimersByTimeAsync(300);
    const settled = watch(followers.settled(6));
    await vi.advanceTimersByTimeAsync(staleAfterMs - 301);
    expect(settled.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.at).toBe(confirmedAt + staleAfterMs);
    expect(settled.value).toMatchObject({ acknowledged: 0, lapsed: 1, waitedMs: staleAfterMs - 300 });
  });

  it("answers as soon as every follower has acknowledged", async () => {
    const followers = started();
    followers.track("a", 5);
    followers.track("b", 5);
    followers.acknowledge("a", 5, 5);
    followers.acknowledge("b", 5, 5);
    const settled = watch(followers.settled(6));
    followers.acknowledge("a", 6, 6);
    await vi.advanceTimersByTimeAsync(10);
    expect(settled.value).toBeUndefined();
    followers.acknowledge("b", 6, 6);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled.value).toMatchObject({ acknowledged: 2, lapsed: 0, waitedMs: 10 });
  });

  it("confirms only an acknowledgement of the latest revision: an older one keeps no cache alive", async () => {
    const followers = started();
    followers.track("a", 5);
    expect(followers.acknowledge("a", 5, 6)).toEqual({ confirmed: false });
    const settled = watch(followers.settled(6));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled.value).toMatchObject({ acknowledged: 0, lapsed: 1, waitedMs: 0 });
    expect(followers.acknowledge("nobody", 6, 6)).toBeUndefined();
  });

  it("remembers a follower that disconnected until its deadline, then forgets it", async () => {
    const followers = started();
    const untrack = followers.track("a", 5);
    followers.acknowledge("a", 5, 5);
    untrack();
    expect(followers.count).toBe(0);
    expect(followers.acknowledge("a", 6, 6)).toBeUndefined();
    const settled = watch(followers.settled(6));
    await vi.advanceTimersByTimeAsync(staleAfterMs - 1);
    expect(settled.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.value).toMatchObject({ lapsed: 1 });
    const later = watch(followers.settled(7));
    await vi.advanceTimersByTimeAsync(0);
    expect(later.value).toMatchObject({ acknowledged: 0, lapsed: 0, waitedMs: 0 });
  });

  it("waits out the followers of a previous incarnation for a deadline after start", async () => {
    const followers = createRevisionFollowers({ staleAfterMs, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(400);
    const settled = watch(followers.settled(1));
    await vi.advanceTimersByTimeAsync(599);
    expect(settled.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.value).toMatchObject({ waitedMs: 600 });
  });

  it("waits the whole deadline when other instances may have followers it cannot see", async () => {
    const followers = createRevisionFollowers({ staleAfterMs, otherInstances: true, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(5000);
    followers.track("a", 5);
    followers.acknowledge("a", 6, 6);
    const settled = watch(followers.settled(6));
    await vi.advanceTimersByTimeAsync(staleAfterMs - 1);
    expect(settled.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.value).toMatchObject({ acknowledged: 1, lapsed: 0, waitedMs: staleAfterMs });
  });
});
