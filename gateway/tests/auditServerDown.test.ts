/**
 * PostgreSQL going away under the gateway, as in a crash: every connection drops at once and new ones are refused
 * until the server is back (a TCP proxy in front of the real server stands for it, so other tests sharing the server
 * are not disturbed). The permits served before the crash have their outcomes on the chain afterwards, in order.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import type { OutcomeEntry } from "../src/audit/auditEvent.ts";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { permitRecord } from "./auditFixtures.ts";

/** A TCP proxy that can go down (every connection cut, new ones refused) and come back on the same port. */
function tcpProxy(host: string, targetPort: number) {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  return {
    get port() {
      return port;
    },
    up: () =>
      new Promise<void>((resolve) => {
        server = createServer((client) => {
          const upstream = connect(targetPort, host);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("error", () => s.destroy()).on("close", () => (sockets.delete(s), client.destroy(), upstream.destroy()));
          }
          client.pipe(upstream).pipe(client);
        });
        server.listen(port, "127.0.0.1", () => {
          port = (server?.address() as AddressInfo).port;
          resolve();
        });
      }),
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server?.close(() => resolve());
      }),
  };
}

const decision = permitRecord;

async function storedOutcomes(db: Db): Promise<OutcomeEntry[]> {
  const rows = await db.query<{ outcomes: OutcomeEntry[] }>("SELECT outcomes FROM audit_event WHERE outcomes IS NOT NULL ORDER BY seq");
  return rows.rows.flatMap((r) => r.outcomes);
}

// A real PostgreSQL server only (TEST_DATABASE_URL; CI starts one): reported as skipped without one.
const postgres = testBackends().find((b) => b.name === "postgres");
{
  describe("audit outcomes when PostgreSQL goes down and comes back", () => {
    it.runIf(postgres !== undefined)("stores every outcome of what was served, in order, and the chain verifies", async () => {
      const backend = postgres;
      if (backend === undefined) throw new Error("runs only with a PostgreSQL server");
      const direct = await backend.open("gateway");
      const url = new URL(direct.url ?? "");
      const proxy = tcpProxy(url.hostname, Number(url.port));
      await proxy.up();
      url.port = String(proxy.port);
      const gatewayDb = await openDb({ url: url.toString(), schema: "gateway", poolSize: 4 });
      const lines: { msg: string }[] = [];
      const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
      try {
        await migrate(direct, readMigrations(gatewayMigrationsDir), "ndx:gateway");
        // Outcomes wait 2 s for a decision to go with (the default is 50 ms): the last ones must still be waiting when the
        // crash comes, and on a loaded 2-core CI machine more than 50 ms can pass before it does.
        const log = await openAuditLog({ db: gatewayDb, retryMinMs: 10, retryMaxMs: 200, outcomeDelayMs: 2000, logger });
        const recorded: OutcomeEntry[] = [];
        const completed: Promise<unknown>[] = [];
        let refused = 0;
        const request = async (i: number) => {
          try {
            const d = await log.append(decision(`1990${String(i).padStart(8, "0")}`));
            const entry: OutcomeEntry = { decisionId: d.id, traceId: `trace-${i}`, outcome: "ok", reasons: [] };
            recorded.push(entry);
            completed.push(log.complete(entry));
          } catch {
            refused += 1; // not on the record: nothing is read, no outcome follows
          }
        };
        for (let i = 0; i < 40; i += 1) await Promise.all([request(2 * i), request(2 * i + 1)]);
        // The crash: the last outcomes are still waiting to be written (outcomeDelayMs).
        await proxy.down();
        for (let i = 40; i < 50; i += 1) await request(2 * i);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(log.health().backlog).toBeGreaterThan(0);
        await proxy.up();
        for (let i = 50; i < 70; i += 1) await request(2 * i);
        await Promise.all(completed);
        await log.flush();
        expect(refused).toBe(10);
        expect(lines.map((l) => l.msg)).toContain("audit write failed; its outcomes are kept and retried");
        expect(lines.map((l) => l.msg)).toContain("audit writes recovered");
        expect(await storedOutcomes(direct)).toEqual(recorded);
        expect(await verifyAuditTrail(direct)).toMatchObject({ ok: true });
        expect(log.healthy).toBe(true);
      } finally {
        await gatewayDb.close();
        await proxy.down();
        await direct.close();
      }
    }, 60_000);
  });
}
