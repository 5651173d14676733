/**
 * No outcome is lost when the trail's database fails: failed writes are retried in order until stored, a write
 * reported failed that was committed is not stored twice, the log reports itself unhealthy when writes keep failing,
 * and flush() gives up only after its bounded wait, logging what it could not write.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { migrate, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import type { OutcomeEntry } from "../src/audit/auditEvent.ts";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { permitRecord } from "./auditFixtures.ts";

const decision = permitRecord;
const entry = (decisionId: string, i: number): OutcomeEntry => ({ decisionId, traceId: `trace-${i}`, outcome: "ok", reasons: [] });

function capture() {
  type Line = { level: number; msg: string; outcomes?: OutcomeEntry[] };
  const lines: Line[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { lines, logger };
}

/** Every outcome on the chain, in chain order. */
async function storedOutcomes(db: Db): Promise<OutcomeEntry[]> {
  const rows = await db.query<{ outcomes: OutcomeEntry[] | string }>("SELECT outcomes FROM audit_event WHERE outcomes IS NOT NULL ORDER BY chain, seq");
  return rows.rows.flatMap((r) => (typeof r.outcomes === "string" ? (JSON.parse(r.outcomes) as OutcomeEntry[]) : r.outcomes));
}

/** A database whose next `failures.left` INSERTs fail; `committed` stores them first (the answer lost after the commit). */
function flaky(db: Db, failures: { left: number; committed?: boolean }): Db {
  return {
    ...db,
    async runPrepared(name, sql, params) {
      if (failures.left <= 0) return db.runPrepared(name, sql, params);
      failures.left -= 1;
      if (failures.committed === true) await db.runPrepared(name, sql, params);
      throw new Error("Connection terminated unexpectedly");
    },
  };
}

const refuseInserts = `
  CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no space left (test)'; END $$;
  CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_test_refuse();`;
const allowInserts = "DROP TRIGGER audit_test_refuse ON audit_event; DROP FUNCTION audit_test_refuse();";

for (const backend of testBackends()) {
  describe(`audit outcomes when writes fail, on ${backend.name}`, () => {
    let db: (Db & { readonly url: string | undefined }) | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });
    async function fresh(): Promise<Db & { readonly url: string | undefined }> {
      db = await backend.open("gateway");
      await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      return db;
    }
    const fast = { retryMinMs: 5, retryMaxMs: 20, outcomeDelayMs: 1 };

    it("retries failed outcome writes until every outcome is on the chain, in the order recorded", async () => {
      const db = await fresh();
      const failures = { left: 0 };
      const log = await openAuditLog({ db: flaky(db, failures), ...fast });
      const decided = await Promise.all(Array.from({ length: 8 }, (_, i) => log.append(decision(`19901234560${i}`))));
      failures.left = 3;
      const entries = decided.map((d, i) => entry(d.id, i));
      const completed = entries.slice(0, 4).map((e) => log.complete(e));
      await new Promise((resolve) => setTimeout(resolve, 2));
      // A decision whose write fails is refused at once: its request reads nothing.
      await expect(log.append(decision("199012345699"))).rejects.toThrow(/terminated/);
      completed.push(...entries.slice(4).map((e) => log.complete(e)));
      await Promise.all(completed);
      expect(failures.left).toBe(0);
      expect(await storedOutcomes(db)).toEqual(entries);
      expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
      expect(log.health()).toMatchObject({ healthy: true, backlog: 0, failingForMs: 0 });
    });

    it("hands back and logs a failed write without the row the database quotes (a citizen's NIC)", async () => {
      const db = await fresh();
      const { lines, logger } = capture();
      const log = await openAuditLog({ db, ...fast, logger });
      const nic = "198811223344";
      const error: unknown = await log.append({ ...decision(nic), traceId: null as unknown as string }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: "AuditWriteError", code: "23502", message: expect.stringMatching(/not-null/) as unknown });
      expect(JSON.stringify(error)).not.toContain(nic);
      expect(lines.map((l) => l.msg)).toContain("audit write failed; its outcomes are kept and retried");
      expect(JSON.stringify(lines)).not.toContain(nic);
    });

    it("stores an outcome whose error code holds a NUL (jsonb refuses one) instead of retrying it for ever", async () => {
      const db = await fresh();
      const log = await openAuditLog({ db, ...fast });
      const decided = await log.append(decision("199012345601"));
      const stored = log.complete({ decisionId: decided.id, traceId: "t\u0000", outcome: "partial", reasons: ["UPSTREAM\u0000ERROR"] });
      await expect(stored).resolves.toMatchObject({ outcomes: [{ traceId: "t\uFFFD", reasons: ["UPSTREAM\uFFFDERROR"] }] });
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 2 } });
      expect(log.healthy).toBe(true);
    });

    it("stores a write once when it was committed but reported as failed", async () => {
      const db = await fresh();
      const failures = { left: 0, committed: true };
      const { lines, logger } = capture();
      const log = await openAuditLog({ db: flaky(db, failures), ...fast, logger });
      const decided = await log.append(decision("199012345601"));
      failures.left = 1;
      const first = log.complete(entry(decided.id, 1));
      await expect(first).resolves.toMatchObject({ kind: "outcome" });
      await log.complete(entry(decided.id, 2));
      expect(await storedOutcomes(db)).toEqual([entry(decided.id, 1), entry(decided.id, 2)]);
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 3 } });
      expect(lines.map((l) => l.msg)).toContain("an audit write reported as failed had been stored");
    });

    it("reports itself unhealthy when writes keep failing, stores everything once they work again", async () => {
      const db = await fresh();
      const clock = { t: 0 };
      const log = await openAuditLog({ db, ...fast, failureGraceMs: 1000, maxBacklog: 3, now: () => clock.t });
      const decided = await log.append(decision("199012345601"));
      await db.exec(refuseInserts);
      const first = log.complete(entry(decided.id, 1));
      await expect(log.append(decision("199012345602"))).rejects.toThrow(/no space left/);
      // Within the grace: a short failure does not stop the exchange.
      expect(log.healthy).toBe(true);
      clock.t = 1001;
      expect(log.healthy).toBe(false);
      expect(log.health()).toMatchObject({ healthy: false, backlog: 1, failingForMs: 1001 });
      expect(log.health().reason).toMatch(/audit writes failing for 1001 ms/);
      await db.exec(allowInserts);
      await first;
      expect(log.healthy).toBe(true);
      // Too many waiting is unhealthy however short the failure.
      await db.exec(refuseInserts);
      const more = [2, 3, 4, 5].map((i) => log.complete(entry(decided.id, i)));
      expect(log.health()).toMatchObject({ healthy: false, backlog: 4 });
      expect(log.health().reason).toMatch(/4 audit records waiting/);
      await db.exec(allowInserts);
      await Promise.all(more);
      expect(await storedOutcomes(db)).toEqual([1, 2, 3, 4, 5].map((i) => entry(decided.id, i)));
      expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
    });

    it("stays unhealthy while only decisions fail, and recovers with no traffic once writes work", async () => {
      const db = await fresh();
      const clock = { t: 0 };
      const log = await openAuditLog({ db, ...fast, failureGraceMs: 1000, now: () => clock.t });
      await log.append(decision("199012345601"));
      await db.exec(refuseInserts);
      await expect(log.append(decision("199012345602"))).rejects.toThrow(/no space left/);
      // The retries read the head fine, but a read is no proof that writes work: still failing, not cleared.
      await new Promise((resolve) => setTimeout(resolve, 100));
      clock.t = 1001;
      expect(log.health()).toMatchObject({ healthy: false, backlog: 0 });
      await db.exec(allowInserts);
      // No request comes (a gateway out of rotation gets none): the retry's probe write brings it back.
      // (Up to 10 s: was 100 tries 10 ms apart, about 1 s, which a loaded 2-core CI machine could overrun.)
      for (const end = Date.now() + 10_000; !log.healthy && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(log.healthy).toBe(true);
      // The probe is an outcome event listing no outcomes, on the chain like any other.
      expect(await storedOutcomes(db)).toEqual([]);
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 2 } });
    });

    it("flush() gives up after its bounded wait and logs every outcome it could not write", async () => {
      const db = await fresh();
      const { lines, logger } = capture();
      const log = await openAuditLog({ db, ...fast, flushTimeoutMs: 150, logger });
      const decided = await log.append(decision("199012345601"));
      await db.exec(refuseInserts);
      const entries = [entry(decided.id, 1), entry(decided.id, 2)];
      const outcomes = entries.map((e) => log.complete(e).then(() => "stored", () => "lost"));
      const started = performance.now();
      await log.flush();
      expect(performance.now() - started).toBeLessThan(2000);
      expect(await Promise.all(outcomes)).toEqual(["lost", "lost"]);
      const loud = lines.find((l) => l.level === 60);
      expect(loud?.msg).toMatch(/2 outcome\(s\) NOT written/);
      expect(loud?.outcomes).toEqual(entries);
      expect(lines.find((l) => l.level === 40)?.msg).toBe("audit write failed; its outcomes are kept and retried");
      await db.exec(allowInserts);
    });

    it("settles the outcomes of a write still in flight when flush() gives up: rejected if it then fails, not retried for ever", async () => {
      const db = await fresh();
      const { lines, logger } = capture();
      let release: (() => void) | undefined;
      const stalled: Db = {
        ...db,
        async runPrepared(name, sql, params) {
          if (release !== undefined) return db.runPrepared(name, sql, params);
          // Answers only after flush() has given up, and then as failed.
          await new Promise<void>((resolve) => (release = resolve));
          throw new Error("Connection terminated unexpectedly");
        },
      };
      const log = await openAuditLog({ db: stalled, ...fast, flushTimeoutMs: 100, logger });
      const first = log.append(decision("199012345601")).then(() => "stored", () => "lost");
      const outcome = log.complete(entry("d-1", 1)).then(() => "stored", () => "lost");
      await log.flush();
      expect(lines.find((l) => l.level === 60)?.msg).toMatch(/NOT written/);
      release?.();
      expect(await Promise.all([first, outcome])).toEqual(["lost", "lost"]);
      // The log goes on: the next decision is stored.
      await expect(log.append(decision("199012345602"))).resolves.toMatchObject({ kind: "decision" });
    });

    if (backend.name === "postgres") {
      it("loses no outcome when the server terminates the gateway's connections while it writes", async () => {
        const db = await fresh();
        const { lines, logger } = capture();
        const log = await openAuditLog({ db, retryMinMs: 5, retryMaxMs: 50, logger });
        const admin = await import("pg").then(({ default: pg }) => new pg.Client({ connectionString: process.env["TEST_DATABASE_URL"] }));
        await admin.connect();
        const database = new URL(db.url ?? "").pathname.slice(1);
        const terminate = () =>
          admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
        const recorded: OutcomeEntry[] = [];
        const completed: Promise<unknown>[] = [];
        const failedOnce = () => lines.some((l) => l.msg === "audit write failed; its outcomes are kept and retried");
        try {
          // Until a write has failed at least once (a termination between two writes only costs a reconnect).
          for (let round = 0; round < 400 && (round < 60 || !failedOnce()); round += 1) {
            const killing = round % 15 === 7 ? terminate() : undefined;
            await Promise.all(
              Array.from({ length: 4 }, async (_, i) => {
                try {
                  const d = await log.append(decision(`1990${String(round * 4 + i).padStart(8, "0")}`));
                  const e = entry(d.id, round * 4 + i);
                  recorded.push(e);
                  completed.push(log.complete(e));
                } catch {
                  // Refused: the decision was not stored, so nothing is read and no outcome follows.
                }
              }),
            );
            await killing;
          }
          await Promise.all(completed);
          await log.flush();
        } finally {
          await admin.end();
        }
        expect(failedOnce()).toBe(true);
        expect(await storedOutcomes(db)).toEqual(recorded);
        expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
        expect(log.healthy).toBe(true);
      }, 60_000);
    }
  });
}
