import { describe, expect, it } from "vitest";
import { createLogger } from "@ndx/platform";
import { backoffDelay, createUpstream, UpstreamError, type UpstreamOptions } from "../src/index.ts";

const logger = createLogger("test", "silent");

function setup(options: Partial<UpstreamOptions> = {}) {
  const sleeps: number[] = [];
  const upstream = createUpstream({
    provider: "acme",
    logger,
    timeoutMs: 100,
    retries: 2,
    backoff: { baseMs: 10, maxMs: 40, random: () => 0.5 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { upstream, sleeps };
}

/** An attempt function that fails with the given errors, then succeeds. */
function script(...failures: UpstreamError[]) {
  let calls = 0;
  const attempt = async () => {
    const failure = failures[calls++];
    if (failure !== undefined) throw failure;
    return "data";
  };
  return { attempt, calls: () => calls };
}

const unavailable = () => new UpstreamError("unavailable", "acme", "HTTP 503", { status: 503 });

describe("resilient upstream calls", () => {
  it("retries a read on transient failures, with backoff between attempts", async () => {
    const { upstream, sleeps } = setup();
    const s = script(unavailable(), new UpstreamError("timeout", "acme", "slow"));
    await expect(upstream.call("read", s.attempt, { idempotent: true })).resolves.toBe("data");
    expect(s.calls()).toBe(3);
    expect(sleeps).toEqual([5, 10]);
  });

  it("gives up after the last retry with the last failure", async () => {
    const { upstream } = setup();
    const s = script(unavailable(), unavailable(), unavailable(), unavailable());
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "unavailable" });
    expect(s.calls()).toBe(3);
  });

  it("never retries a call that is not idempotent", async () => {
    const { upstream } = setup();
    const s = script(unavailable());
    await expect(upstream.call("write", s.attempt, { idempotent: false })).rejects.toMatchObject({ kind: "unavailable" });
    expect(s.calls()).toBe(1);
  });

  it.each(["not_found", "rejected", "malformed"] as const)("does not retry %s", async (kind) => {
    const { upstream } = setup();
    const s = script(new UpstreamError(kind, "acme", "no"));
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind });
    expect(s.calls()).toBe(1);
  });

  it("waits a short Retry-After and fails at once on a long one", async () => {
    const { upstream, sleeps } = setup({ maxRetryAfterMs: 1000 });
    const short = script(new UpstreamError("rate_limited", "acme", "429", { retryAfterMs: 300 }));
    await expect(upstream.call("read", short.attempt, { idempotent: true })).resolves.toBe("data");
    expect(sleeps).toEqual([300]);
    const long = script(new UpstreamError("rate_limited", "acme", "429", { retryAfterMs: 120_000 }));
    await expect(upstream.call("read", long.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "rate_limited" });
    expect(long.calls()).toBe(1);
  });

  it("times an attempt out even when it ignores its abort signal, and aborts the signal", async () => {
    const { upstream } = setup({ retries: 0, timeoutMs: 50 });
    let signal: AbortSignal | undefined;
    const never = (s: AbortSignal) => {
      signal = s;
      return new Promise<string>(() => undefined);
    };
    await expect(upstream.call("read", never, { idempotent: true })).rejects.toMatchObject({ kind: "timeout", provider: "acme" });
    expect(signal?.aborted).toBe(true);
  });

  it("opens the breaker on repeated faults and then fails fast as circuit_open without calling", async () => {
    const { upstream } = setup({ retries: 0, breaker: { failureThreshold: 2, resetAfterMs: 60_000 } });
    const s = script(unavailable(), unavailable(), unavailable());
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "unavailable" });
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "unavailable" });
    expect(upstream.breaker.state).toBe("open");
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "circuit_open" });
    expect(s.calls()).toBe(2);
  });

  it("stops retrying once the breaker opens", async () => {
    const { upstream } = setup({ retries: 5, breaker: { failureThreshold: 2, resetAfterMs: 60_000 } });
    const s = script(unavailable(), unavailable(), unavailable(), unavailable());
    await expect(upstream.call("read", s.attempt, { idempotent: true })).rejects.toMatchObject({ kind: "circuit_open" });
    expect(s.calls()).toBe(2);
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    const top = (retry: number) => backoffDelay(retry, { baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map(top)).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, { baseMs: 100, maxMs: 1000 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
    }
  });
});
