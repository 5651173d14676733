/**
 * The evidence health on its own clock: a gateway that never time-stamps is refused personal data AUDIT_TIMESTAMP_MAX_AGE_MS
 * after start-up; each covered round moves the deadline; the error is logged at most once a minute however many
 * requests are refused (each counted); recovery is logged once; without a TSA (development) nothing is refused.
 */
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { createEvidenceHealth } from "../src/evidence/evidenceHealth.ts";

/** A real pino logger whose JSON lines are kept. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const names: Record<number, string> = { 30: "info", 40: "warn", 50: "error" };
  const logger = pino({ level: "info" }, {
    write: (line: string) => {
      const parsed = JSON.parse(line) as { level: number; msg: string };
      lines.push({ level: names[parsed.level] ?? String(parsed.level), message: parsed.msg });
    },
  });
  return { lines, logger };
}

const auditUp = { healthy: true, health: () => ({ healthy: true, backlog: 0, failingForMs: 0 }) };

describe("evidence health", () => {
  it("refuses after the max age from start-up, logs once a minute, counts each refusal, and recovers when covered", async () => {
    let t = 1_000_000;
    let refusals = 0;
    const { lines, logger } = recordingLogger();
    const health = createEvidenceHealth({ audit: auditUp, required: true, maxAgeMs: 5000, logger, now: () => t, onRefused: () => (refusals += 1) });
    expect(health.healthy).toBe(true);
    t += 5000;
    expect(health.healthy).toBe(true);
    t += 1;
    expect(health.healthy).toBe(false);
    await expect(health.check()).rejects.toThrow(/no audit checkpoint has been time-stamped since this gateway started 5 s ago: personal data is refused/);
    for (let i = 0; i < 50; i += 1) {
      expect(health.refusal().message).toMatch(/^The audit trail cannot be time-stamped/);
      t += 1000; // 50 s of refusals
    }
    expect(refusals).toBe(50);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
    t += 10_000;
    health.refusal();
    expect(lines.filter((l) => l.level === "error")).toHaveLength(2);
    expect(lines[0]?.message).toMatch(/personal data refused: .*AUDIT_TIMESTAMP_MAX_AGE_MS 5000/);

    health.covered(t);
    expect(health.healthy).toBe(true);
    await expect(health.check()).resolves.toBeUndefined();
    expect(lines.filter((l) => l.level === "info").map((l) => l.message)).toEqual(["audit checkpoints are time-stamped again: personal data is served"]);
    t += 5001;
    expect(health.healthy).toBe(false);
    expect(health.refusal().reason).toMatch(/^no audit checkpoint has been time-stamped for 5 s \(since /);
  });

  it("gives the audit log's own refusal while it cannot write, and never refuses for time-stamps without a TSA", () => {
    let t = 0;
    const auditDown = { healthy: false, health: () => ({ healthy: false, backlog: 3, failingForMs: 9000, reason: "down" }) };
    const down = createEvidenceHealth({ audit: auditDown, required: true, maxAgeMs: 5000, now: () => t });
    expect(down.healthy).toBe(false);
    expect(down.refusal()).toEqual({ message: "The access could not be recorded in the audit trail, so nothing was read", reason: "the audit trail cannot be written" });
    const development = createEvidenceHealth({ audit: auditUp, required: false, maxAgeMs: 5000, now: () => t });
    t += 10 * 86_400_000;
    expect(development.healthy).toBe(true);
  });
});
