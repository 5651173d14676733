/**
 * Signed, time-stamped checkpoints (issue 19): the writer signs its chain's head as a JWS that the audit JWKS
 * verifies, has the JWS's SHA-256 time-stamped by a real RFC 3161 TSA (the development one, over HTTP) and stores the
 * token beside it — a token `openssl ts -verify` accepts for those exact bytes. No checkpoint when nothing was
 * written; a checkpoint the TSA did not answer for is stamped when it answers again. On PGlite, and on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { checkpointJwks } from "../src/evidence/checkpointKeys.ts";
import { verifyCheckpoint } from "../src/evidence/checkpointSigner.ts";
import { listCheckpoints } from "../src/evidence/checkpointStore.ts";
import { startCheckpointWriter, type CheckpointEvent } from "../src/evidence/checkpointWriter.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { newCheckpointKey, openssl, startTestTsa, type TestTsa } from "./evidenceFixtures.ts";

let tsa: TestTsa;
beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => tsa?.close());

describe.each(testBackends())("audit checkpoints on $name", (backend) => {
  it("signs the head, has it time-stamped, skips an unchanged head, and stamps late when the TSA comes back", async () => {
    const db = await backend.open("gateway");
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const log = await openAuditLog({ db, chain: "replica-a" });
    const key = newCheckpointKey();
    const events: CheckpointEvent[] = [];
    const writer = startCheckpointWriter({
      db,
      chain: "replica-a",
      key,
      intervalMs: 3_600_000,
      // Its stamps must succeed (a stopped TSA refuses connections, no timeout needed): 10 s, the client's default, where
      // 2 s could lapse on a loaded 2-core CI machine (the TSA signs in this same process).
      stamper: createTsaClient({ url: tsa.url, timeoutMs: 10_000 }),
      policyRevision: () => "rev-1",
      onEvent: (e) => events.push(e),
    });
    try {
      await writer.tick(); // an empty chain: nothing to sign
      expect(await listCheckpoints(db)).toEqual([]);

      for (let i = 0; i < 3; i += 1) await log.append(permitRecord());
      await writer.tick();
      const [first, ...none] = await listCheckpoints(db);
      expect(none).toEqual([]);
      expect(first).toMatchObject({ chain: "replica-a", seq: 3, policyRevision: "rev-1", kid: key.kid });
      const head = await db.query<{ hash: string }>("SELECT hash FROM audit_event WHERE chain = 'replica-a' AND seq = 3");
      expect(first?.hash).toBe(head.rows[0]?.hash);

      const verified = await verifyCheckpoint(first?.jws ?? "", checkpointJwks(key.publicJwk, []));
      expect(verified).toMatchObject({ ok: true, claims: { chain: "replica-a", seq: 3, hash: first?.hash, policyRevision: "rev-1" } });
      expect(await verifyCheckpoint(first?.jws ?? "", checkpointJwks(newCheckpointKey().publicJwk, []))).toMatchObject({ ok: false });

      // The stored token is a standard RFC 3161 token over the JWS's bytes: openssl says so, and not for other bytes.
      expect(first?.tst).not.toBeNull();
      const at = (name: string) => join(tsa.dir, `${backend.name}-${name}`);
      writeFileSync(at("checkpoint.jws"), first?.jws ?? "");
      writeFileSync(at("checkpoint.tst"), Buffer.from(first?.tst ?? "", "base64"));
      writeFileSync(at("other.jws"), `${first?.jws ?? ""}x`);
      const verify = (data: string) => openssl("ts", "-verify", "-data", at(data), "-in", at("checkpoint.tst"), "-token_in", "-CAfile", tsa.caFile);
      expect(verify("checkpoint.jws").out).toContain("Verification: OK");
      expect(verify("other.jws").out).toContain("Verification: FAILED");
      expect(Math.abs(Date.parse(first?.tstAt ?? "") - Date.now())).toBeLessThan(60_000);

      await writer.tick(); // nothing written since: no new checkpoint
      expect((await listCheckpoints(db)).length).toBe(1);

      await tsa.stop();
      await log.append(permitRecord());
      await writer.tick();
      const [, unstamped] = await listCheckpoints(db);
      expect(unstamped).toMatchObject({ seq: 4, tst: null });
      expect(events).toContain("time_stamp_failed");

      await tsa.start();
      await writer.tick();
      const [, late] = await listCheckpoints(db);
      expect(late?.seq).toBe(4);
      expect(late?.tst).not.toBeNull();
      expect(events.filter((e) => e === "signed")).toHaveLength(2);
      expect(events.filter((e) => e === "time_stamped")).toHaveLength(2);

      // Checkpoints are append-only: the token, once there, cannot be replaced, and no row can go.
      await expect(db.query("UPDATE audit_checkpoint SET tst = 'AAAA' WHERE seq = 3")).rejects.toThrow(/append-only/);
      await expect(db.query("DELETE FROM audit_checkpoint")).rejects.toThrow(/append-only/);
    } finally {
      await tsa.start();
      await log.flush();
      await writer.close();
      await db.close();
    }
  });
});
