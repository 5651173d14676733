import { describe, expect, it } from "vitest";
import { CircuitOpenError, createCircuitBreaker, type BreakerState } from "../src/index.ts";

const fault = () => Promise.reject(new Error("down"));
const ok = () => Promise.resolve("ok");
const always = () => true;

function setup(threshold = 3, resetAfterMs = 1000) {
  let now = 0;
  const changes: string[] = [];
  const breaker = createCircuitBreaker({
    failureThreshold: threshold,
    resetAfterMs,
    now: () => now,
    onStateChange: (to: BreakerState, from: BreakerState) => changes.push(`${from}->${to}`),
  });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive faults and then fails fast without calling", async () => {
    const { breaker, changes } = setup(3);
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fault, always)).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    let called = 0;
    await expect(breaker.execute(() => (called++, ok()), always)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(0);
    expect(changes).toEqual(["closed->open"]);
  });

  it("counts consecutive faults only: a success in between resets the count", async () => {
    const { breaker } = setup(3);
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    await breaker.execute(ok, always);
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
  });

  it("does not count errors that are answers (a 404, a refused request)", async () => {
    const { breaker } = setup(1);
    await expect(breaker.execute(fault, () => false)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
  });

  it("is half-open after the reset time: one trial call, whose success closes the circuit", async () => {
    const { breaker, changes, advance } = setup(1, 1000);
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    advance(999);
    expect(breaker.state).toBe("open");
    advance(1);
    expect(breaker.state).toBe("half_open");
    let release: (v: string) => void = () => undefined;
    const trial = breaker.execute(() => new Promise<string>((r) => (release = r)), always);
    // While the trial is in flight, other calls still fail fast.
    await expect(breaker.execute(ok, always)).rejects.toBeInstanceOf(CircuitOpenError);
    release("ok");
    await expect(trial).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["closed->open", "open->half_open", "half_open->closed"]);
  });

  it("opens again, for another full reset time, when the trial fails", async () => {
    const { breaker, advance } = setup(2, 1000);
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    await expect(breaker.execute(fault, always)).rejects.toThrow();
    advance(1000);
    await expect(breaker.execute(fault, always)).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    advance(500);
    await expect(breaker.execute(ok, always)).rejects.toBeInstanceOf(CircuitOpenError);
    advance(500);
    await expect(breaker.execute(ok, always)).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });
});
