/**
 * The audit summary's query is served by an index of the window's decisions (migration 004), not by a scan of the
 * whole trail: on each backend, the plan of the very query auditSummary.ts runs names the index (sequential scans
 * priced out, so the answer does not depend on how few rows a test table holds; without a usable index the plan is
 * still a sequential scan).
 */
import { afterEach, describe, expect, it } from "vitest";
import { migrate, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { decisionSummarySql } from "../src/audit/auditSummary.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";

for (const backend of testBackends()) {
  describe(`the audit summary's index on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    it("serves the summary's query with an index-only scan of the window's decisions", async () => {
      db = await backend.open("gateway");
      await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      const plan = await db.transaction(async (tx) => {
        await tx.query("SET LOCAL enable_seqscan = off");
        await tx.query("SET LOCAL enable_bitmapscan = off");
        const { rows } = await tx.query<{ "QUERY PLAN": string }>(
          `EXPLAIN ${decisionSummarySql.replace("$1", "'2026-12-01T00:00:00Z'::timestamptz")}`,
        );
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
      expect(plan).toContain("Index Only Scan using audit_event_decision_at");
    });
  });
}
