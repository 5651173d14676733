/** npm start's supervision (scripts/supervisor.ts) on real child processes, with short waits. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { seconds, Supervisor, type SupervisorOptions } from "../../scripts/supervisor.ts";

/** A child that runs `code` (JavaScript) in a fresh Node process. */
const node = (code: string) => (): ChildProcess => spawn(process.execPath, ["-e", code], { stdio: "ignore" });
const forever = node("setInterval(() => {}, 1000)");
const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

let supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors) await s.stopAll(["a", "b"], 2000);
  supervisors = [];
});

function supervise(options: SupervisorOptions = {}) {
  const lines: string[] = [];
  const givenUp: string[] = [];
  const supervisor = new Supervisor({
    initialDelayMs: 50,
    maxDelayMs: 400,
    log: (line) => lines.push(line),
    onGiveUp: (name) => givenUp.push(name),
    ...options,
  });
  supervisors.push(supervisor);
  return { supervisor, lines, givenUp };
}

describe("the supervisor", () => {
  it("starts a crashed part again after a wait and keeps the others running", async () => {
    const { supervisor, lines } = supervise();
    const a = supervisor.add("a", forever);
    const b = supervisor.add("b", forever);
    a.kill("SIGKILL");
    await until(() => supervisor.child("a") !== undefined && supervisor.child("a") !== a);
    expect(lines[0]).toBe("[start] a exited (code -, signal SIGKILL); restarting in 0.05s (restart 1)");
    expect(lines[1]).toBe(`[start] a restarted (pid ${supervisor.child("a")?.pid})`);
    expect(supervisor.child("b")).toBe(b);
    expect(b.exitCode).toBeNull();
    expect(b.signalCode).toBeNull();
  });

  it("doubles the wait for a part that keeps exiting, and gives it up in a crash loop", async () => {
    const { supervisor, lines, givenUp } = supervise({ maxCrashes: 5, maxDelayMs: 150 });
    const b = supervisor.add("b", forever);
    supervisor.add("a", node("process.exit(3)"));
    await until(() => givenUp.length > 0);
    expect(lines).toEqual([
      "[start] a exited (code 3, signal -); restarting in 0.05s (restart 1)",
      expect.stringMatching(/^\[start\] a restarted \(pid \d+\)$/),
      "[start] a exited (code 3, signal -); restarting in 0.1s (restart 2)",
      expect.stringMatching(/^\[start\] a restarted/),
      "[start] a exited (code 3, signal -); restarting in 0.15s (restart 3)",
      expect.stringMatching(/^\[start\] a restarted/),
      "[start] a exited (code 3, signal -); restarting in 0.15s (restart 4)",
      expect.stringMatching(/^\[start\] a restarted/),
      "[start] a exited (code 3, signal -) 5 times within 60s: crash loop, GIVING UP on a. Its log lines above say why.",
    ]);
    expect(givenUp).toEqual(["a"]);
    // Given up means not started again; the other part is left to the caller (npm start stops everything).
    await new Promise((r) => setTimeout(r, 300));
    expect(supervisor.child("a")).toBeUndefined();
    expect(supervisor.child("b")).toBe(b);
  });

  it("forgets the backoff once a part has stayed up long enough", async () => {
    const { supervisor, lines } = supervise({ resetAfterMs: 200, maxCrashes: 10 });
    supervisor.add("a", node("setTimeout(() => process.exit(1), 300)"));
    await until(() => lines.filter((l) => l.includes("exited")).length >= 3);
    expect(lines.filter((l) => l.includes("exited"))).toEqual(Array(3).fill("[start] a exited (code 1, signal -); restarting in 0.05s (restart 1)"));
  });

  it("starts nothing again once asked to stop everything", async () => {
    const { supervisor, lines } = supervise();
    const a = supervisor.add("a", forever);
    const b = supervisor.add("b", forever);
    await supervisor.stopAll(["b", "a"]);
    expect([a.signalCode, b.signalCode]).toEqual(["SIGTERM", "SIGTERM"]);
    await new Promise((r) => setTimeout(r, 200));
    expect([supervisor.child("a"), supervisor.child("b"), lines]).toEqual([undefined, undefined, []]);
  });

  it("stops a part only once the parts that call it have exited", async () => {
    const { supervisor } = supervise();
    // "a" (a gateway) takes 300 ms to stop; "b" (what it calls) must still answer until then. It says when its SIGTERM
    // handler is in place: a fixed 200 ms wait assumed it would be, and a loaded 2-core CI machine can take longer to
    // start a Node process (SIGTERM would then kill it at once).
    const code = "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300)); setInterval(() => {}, 1000); process.stdout.write('ready')";
    const a = supervisor.add("a", () => spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "ignore"] }));
    let ready = false;
    a.stdout?.once("data", () => (ready = true));
    const b = supervisor.add("b", forever);
    const exitedAt: Record<string, number> = {};
    for (const [name, child] of [["a", a], ["b", b]] as const) child.once("exit", () => (exitedAt[name] = Date.now()));
    await until(() => ready);
    const asked = Date.now();
    await supervisor.stopAll(["a", "b"], 5000, { b: ["a"] });
    expect(exitedAt["a"]).toBeDefined();
    expect(exitedAt["b"]).toBeGreaterThanOrEqual(exitedAt["a"] ?? Infinity);
    expect((exitedAt["a"] ?? 0) - asked).toBeGreaterThanOrEqual(250);
    expect([a.exitCode, b.signalCode]).toEqual([0, "SIGTERM"]);
  });

  it("writes a wait in seconds", () => {
    expect([seconds(500), seconds(1000), seconds(10_000), seconds(1500)]).toEqual(["0.5s", "1s", "10s", "1.5s"]);
  });
});
