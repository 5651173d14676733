import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { openAuditLog, type AuditLog } from "../src/audit/auditLog.ts";
import { accessesAbout, cursorOf, parseCursor } from "../src/audit/auditQuery.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { permitRecord } from "./auditFixtures.ts";

const decision = permitRecord;

for (const backend of testBackends()) {
  describe(`audit trail on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    async function open(options: Omit<Parameters<typeof openAuditLog>[0], "db"> = {}): Promise<{ db: Db; log: AuditLog }> {
      db = await backend.open("gateway");
      await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      return { db, log: await openAuditLog({ db, ...options }) };
    }
    const outcome = (subject: string) => ({ ...decision(subject), kind: "outcome" as const, decisionId: randomUUID(), outcome: "ok" as const });

    it("stores the decisions of one event-loop turn in one INSERT, and outcomes with the next decisions", async () => {
      const writes: number[] = [];
      const { db, log } = await open({ onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 60_000 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(decision(`1990123456${String(i).padStart(2, "0")}`))));
      expect(writes).toEqual([10]);
      const done = log.append(outcome("199012345600"));
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toEqual([10]);
      await log.append(decision("199012345678"));
      expect((await done).seq).toBe(11);
      expect(writes).toEqual([10, 2]);
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 12 } });
    });

    it("records the outcomes waiting at a write as one event listing them, and that chain verifies", async () => {
      const writes: number[] = [];
      const { db, log } = await open({ onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 60_000 });
      const decided = await Promise.all(["199012345601", "199012345602", "199012345603"].map((nic) => log.append(decision(nic))));
      const entries = decided.map((d, i) => ({ decisionId: d.id, traceId: `trace-${i}`, outcome: i === 2 ? ("partial" as const) : ("ok" as const), reasons: i === 2 ? ["UPSTREAM_TIMEOUT"] : [] }));
      const completed = entries.map((entry) => log.complete(entry));
      // Outcomes start no write of their own: they go with the next decision, as one event.
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toEqual([3]);
      await log.append(decision("199012345604"));
      const events = await Promise.all(completed);
      expect(new Set(events.map((e) => e.id)).size).toBe(1);
      expect(writes).toEqual([3, 2]);
      const stored = await db.query<{ kind: string; decision_id: string | null; outcomes: unknown; n: number }>(
        "SELECT kind, decision_id, outcomes, jsonb_array_length(outcomes) AS n FROM audit_event WHERE outcomes IS NOT NULL",
      );
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]).toMatchObject({ kind: "outcome", decision_id: null, n: 3 });
      expect(stored.rows[0]?.outcomes).toEqual(entries);
      // An outcome event of one decision (the form before batches) sits in the same chain and verifies too.
      void log.append(outcome("199012345604"));
      await log.flush();
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 6 } });
      // Tampering with a listed outcome breaks the chain at that event.
      await db.exec("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
      await db.query(`UPDATE audit_event SET outcomes = jsonb_set(outcomes, '{2,outcome}', '"ok"') WHERE outcomes IS NOT NULL`);
      expect(await verifyAuditTrail(db)).toMatchObject({ ok: false, broken: { seq: events[0]?.seq, reason: "its content does not match its hash" } });
    });

    it("stores waiting outcomes on flush() and after outcomeDelayMs", async () => {
      const writes: number[] = [];
      const { log } = await open({ onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 5 });
      const alone = await log.complete({ decisionId: randomUUID(), traceId: "t", outcome: "ok", reasons: [] });
      expect(alone.seq).toBe(1);
      const waiting = await openAuditLog({ db: db as Db, onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 60_000 });
      void waiting.complete({ decisionId: randomUUID(), traceId: "t", outcome: "error", reasons: ["INTERNAL"] });
      void waiting.complete({ decisionId: randomUUID(), traceId: "t", outcome: "ok", reasons: [] });
      await waiting.flush();
      expect(writes).toEqual([1, 1]);
    });

    it("pages a citizen's accesses newest first without skipping events that share a millisecond", async () => {
      const { log } = await open();
      const at = "2026-11-24T01:00:00.123Z";
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) ids.push((await log.append({ ...decision("199012345678"), at: i === 6 ? "2026-11-24T00:59:59.000Z" : at })).id);
      await log.append(outcome("199012345678"));
      await log.append(decision("198503150123"));
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 5; page += 1) {
        const cursor = before === undefined ? undefined : parseCursor(before);
        const batch = await accessesAbout(db as Db, "199012345678", 3, cursor);
        seen.push(...batch.map((a) => a.id));
        const last = batch.at(-1);
        if (last === undefined) break;
        before = cursorOf(last);
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen.at(-1)).toBe(ids[6]);
      // A time alone still works: everything strictly older.
      expect((await accessesAbout(db as Db, "199012345678", 10, parseCursor(at))).map((a) => a.id)).toEqual([ids[6]]);
      expect(["yesterday", `${at}~not-a-uuid`, `${at}~${ids[0]}~x`].map(parseCursor)).toEqual([undefined, undefined, undefined]);
    });

    it("group commit: under load the next INSERT waits for the interval and takes everything queued meanwhile", async () => {
      const writes: number[] = [];
      const { db, log } = await open({ onWrite: (_s, events) => writes.push(events), groupCommitMs: 1000 });
      // Light load: the first write does not wait.
      await log.append(decision("199012345601"));
      expect(writes).toEqual([1]);
      // Right after it, within the interval: these wait, then go together.
      const pending = [log.append(decision("199012345602"))];
      await new Promise((resolve) => setImmediate(resolve));
      pending.push(log.append(decision("199012345603")), log.append(decision("199012345604")));
      expect(writes).toEqual([1]);
      await Promise.all(pending);
      expect(writes).toEqual([1, 3]);
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 4 } });
    });

    it("group commit: flush() does not wait for the interval", async () => {
      const writes: number[] = [];
      const { log } = await open({ onWrite: (_s, events) => writes.push(events), groupCommitMs: 600_000 });
      await log.append(decision("199012345601"));
      void log.append(decision("199012345602"));
      void log.append(outcome("199012345602"));
      await log.flush();
      expect(writes).toEqual([1, 2]);
    });

    it("stores a lone outcome after outcomeDelayMs, and everything queued on flush()", async () => {
      const writes: number[] = [];
      const { log } = await open({ onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 5 });
      expect((await log.append(outcome("199012345678"))).seq).toBe(1);
      const waiting = await openAuditLog({ db: db as Db, onWrite: (_s, events) => writes.push(events), outcomeDelayMs: 60_000 });
      void waiting.append(outcome("199012345678"));
      void waiting.append(outcome("199012345679"));
      await waiting.flush();
      expect(writes).toEqual([1, 2]);
    });

    it("chains events written concurrently into one contiguous, verifiable sequence", async () => {
      const { db, log } = await open();
      const events = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(decision(`1990123456${String(i).padStart(2, "0")}`))));
      expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await verifyAuditTrail(db, 7)).toEqual({ ok: true, chains: { main: 40 } });
    });

    it("continues the chain after a restart, reading the head once", async () => {
      const { db, log } = await open();
      await log.append(decision("199012345678"));
      const again = await openAuditLog({ db });
      const next = await again.append(decision("199012345678"));
      expect(next.seq).toBe(2);
      expect((await verifyAuditTrail(db)).ok).toBe(true);
    });

    it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
      const { db, log } = await open();
      await log.append(decision("199012345678"));
      await expect(db.query("UPDATE audit_event SET consumer = 'someone-else'")).rejects.toThrow(/append-only/);
      await expect(db.query("DELETE FROM audit_event")).rejects.toThrow(/append-only/);
      await expect(db.query("TRUNCATE audit_event")).rejects.toThrow(/append-only/);
    });

    it("names the first altered event when someone with owner rights rewrites a row", async () => {
      const { db, log } = await open();
      const written = [];
      for (let i = 0; i < 5; i++) written.push(await log.append(decision("199012345678")));
      await db.exec("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
      await db.query("UPDATE audit_event SET purpose = 'curiosity' WHERE seq = 3");
      const report = await verifyAuditTrail(db);
      expect(report.ok).toBe(false);
      expect(report.broken).toEqual({ chain: "main", seq: 3, id: written[2]?.id, reason: "its content does not match its hash" });
    });

    it("names a deleted event by the gap it leaves", async () => {
      const { db, log } = await open();
      for (let i = 0; i < 4; i++) await log.append(decision("199012345678"));
      await db.exec("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
      await db.query("DELETE FROM audit_event WHERE seq = 2");
      expect((await verifyAuditTrail(db)).broken).toMatchObject({ seq: 3, reason: "event 2 is missing" });
    });

    it("leaves no gap when a write fails: the next event links to the last stored one", async () => {
      const { db, log } = await open();
      await log.append(decision("199012345678"));
      await expect(log.append({ ...decision("199012345678"), traceId: null as unknown as string })).rejects.toThrow();
      await log.append(decision("199012345678"));
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { main: 2 } });
    });
  });
}
