/**
 * The evidence package's queries on both storage backends (PGlite, and PostgreSQL when TEST_DATABASE_URL is set): a
 * citizen's decisions and the batched outcome events that complete them are selected, the package verifies, and an
 * event after the last checkpoint is reported as not covered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { checkpointJwks } from "../src/evidence/checkpointKeys.ts";
import { startCheckpointWriter } from "../src/evidence/checkpointWriter.ts";
import { exportEvidencePackage } from "../src/evidence/packageExport.ts";
import { verifyEvidencePackage } from "../src/evidence/packageVerify.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { newCheckpointKey, startTestTsa, type TestTsa } from "./evidenceFixtures.ts";
import { readFileSync } from "node:fs";

let tsa: TestTsa;
beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => tsa?.close());

describe.each(testBackends())("evidence package queries on $name", (backend) => {
  it("selects a citizen's decisions with their outcomes, verifies, and tells what is not yet covered", async () => {
    const db = await backend.open("gateway");
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const key = newCheckpointKey();
    const log = await openAuditLog({ db, chain: "main", outcomeDelayMs: 0 });
    const writer = startCheckpointWriter({ db, chain: "main", key, intervalMs: 3_600_000, stamper: createTsaClient({ url: tsa.url }), policyRevision: () => "rev-1" });
    try {
      const from = new Date(Date.now() - 1000).toISOString();
      const mine = await log.append(permitRecord("199012345678"));
      await log.append(permitRecord("198503150123"));
      const outcome = await log.complete({ decisionId: mine.id, traceId: mine.traceId, outcome: "ok", reasons: [] });
      await writer.tick();
      const trust = { jwks: checkpointJwks(key.publicJwk, []), caPem: readFileSync(tsa.caFile, "utf8") };
      const to = new Date(Date.now() + 60_000).toISOString();
      const exported = await exportEvidencePackage(db, { from, to, citizen: "199012345678" }, trust);
      expect(exported.manifest.chains).toEqual({ main: { fromSeq: 1, toSeq: outcome.seq, selected: [mine.seq, outcome.seq] } });
      expect(exported.uncovered).toBe(0);
      expect(await verifyEvidencePackage(exported.zip)).toMatchObject({ ok: true, message: expect.stringMatching(/^Evidence package intact: 2 selected event\(s\), 3 event\(s\) in 1 chain\(s\), 1 signed checkpoint\(s\), 1 of them time-stamped\.$/) as unknown });

      const late = await log.append(permitRecord("199012345678"));
      const again = await exportEvidencePackage(db, { from, to, citizen: "199012345678" }, trust);
      expect(again.uncovered).toBe(1);
      expect(await verifyEvidencePackage(again.zip)).toMatchObject({ ok: false, message: `Evidence package FAILED: chain main, event ${late.seq}: no checkpoint in the package covers it.` });
    } finally {
      await log.flush();
      await writer.close();
      await db.close();
    }
  });
});
