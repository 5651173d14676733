/**
 * `npm run audit:verify` against signed, time-stamped checkpoints (issue 19). The rebuilt-chain attack: with the
 * database's own access (triggers off), every row of a chain is rewritten and every hash recomputed, so the chain
 * verifies on its own — and the verifier names the checkpoint that no longer matches it, and the event. Two replicas
 * keep one chain each, each checkpointed; the verifier covers both. A foreign CA or checkpoint key fails too.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import { chainHash } from "../src/audit/auditEvent.ts";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { auditColumns, eventFromRow, type AuditRow } from "../src/audit/auditRows.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { startCheckpointWriter } from "../src/evidence/checkpointWriter.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { startTestTsa, type TestTsa } from "./evidenceFixtures.ts";
import { parseGatewaySigningKey } from "@ndx/platform";

const gatewayDir = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "ndx-evidence-verify-"));
const trail = join(work, "trail");
const pem = (): string => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const checkpointKey = pem();
let tsa: TestTsa;
let otherTsa: TestTsa;

/** The real command, as `npm run audit:verify` runs it: another process, the environment as its only input. */
function verify(env: Record<string, string> = {}) {
  const { DATABASE_URL: _url, ...rest } = process.env;
  const run = spawnSync(process.execPath, ["src/audit/verifyCli.ts"], {
    cwd: gatewayDir,
    env: { ...rest, PGLITE_DIR: trail, AUDIT_CHECKPOINT_KEY: checkpointKey, AUDIT_TSA_CA_FILE: tsa.caFile, ...env },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function withTrail<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb({ dataDir: trail, schema: "gateway" });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  [tsa, otherTsa] = await Promise.all([startTestTsa(), startTestTsa()]);
  await withTrail(async (db) => {
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const key = parseGatewaySigningKey(checkpointKey);
    // Two replicas: one chain each, each with its own writer, one key.
    const replicas = await Promise.all(
      ["replica-a", "replica-b"].map(async (chain) => ({
        log: await openAuditLog({ db, chain }),
        writer: startCheckpointWriter({ db, chain, key, intervalMs: 3_600_000, stamper: createTsaClient({ url: tsa.url }), policyRevision: () => "rev-1" }),
      })),
    );
    const [a, b] = replicas;
    for (let i = 0; i < 3; i += 1) await a?.log.append(permitRecord());
    for (let i = 0; i < 2; i += 1) await b?.log.append(permitRecord("198503150123"));
    await Promise.all(replicas.map((r) => r.writer.tick()));
    await a?.log.append(permitRecord());
    await a?.writer.tick();
    await b?.log.append(permitRecord("198503150123")); // after b's last checkpoint
    for (const r of replicas) {
      await r.log.flush();
      await r.writer.close(); // the last checkpoint at shutdown covers it
    }
  });
});
afterAll(async () => {
  await Promise.all([tsa?.close(), otherTsa?.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe("audit:verify with checkpoints", () => {
  it("verifies every chain against its signed, time-stamped checkpoints", () => {
    const run = verify();
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Audit trail intact: 7 events in 2 chain\(s\) \(replica-a: 4, replica-b: 3\) at .+\.\n/);
    expect(run.stdout).toMatch(
      /\nCheckpoints verified: 4 signed \(replica-a: 2 checkpoint\(s\) to event 4, 2 time-stamped, the last at \S+Z; replica-b: 2 checkpoint\(s\) to event 3, 2 time-stamped, the last at \S+Z\)\.\n$/,
    );
    expect(run.status).toBe(0);
  });

  it("fails a time-stamp from a TSA it does not trust, and a checkpoint signed with a key not in its JWKS", () => {
    const foreignCa = verify({ AUDIT_TSA_CA_FILE: otherTsa.caFile });
    expect(foreignCa.stdout).toMatch(/^Audit checkpoint FAILED: chain replica-a, checkpoint at event 3 \(signed \S+\): its time-stamp token does not verify against the trusted TSA CA/);
    expect(foreignCa.status).toBe(1);
    const otherKey = verify({ AUDIT_CHECKPOINT_KEY: pem() });
    expect(otherKey.stdout).toMatch(/^Audit checkpoint FAILED: chain replica-a, checkpoint at event 3 .*: no key of the checkpoint JWKS has its kid\.\n$/);
    expect(otherKey.status).toBe(1);
    // After a rotation the old key, kept as AUDIT_CHECKPOINT_KEY_PREVIOUS, still verifies the old checkpoints.
    const rotated = verify({ AUDIT_CHECKPOINT_KEY: pem(), AUDIT_CHECKPOINT_KEY_PREVIOUS: checkpointKey });
    expect(rotated.status).toBe(0);
  });

  it("detects the newest events deleted with the database's own access, where a checkpoint covers them", async () => {
    const copy = join(work, "truncated");
    cpSync(trail, copy, { recursive: true });
    const db = await openDb({ dataDir: copy, schema: "gateway" });
    try {
      await db.query("ALTER TABLE audit_event DISABLE TRIGGER USER");
      await db.query("DELETE FROM audit_event WHERE chain = 'replica-b' AND seq = 3");
      await db.query("ALTER TABLE audit_event ENABLE TRIGGER USER");
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { "replica-a": 4, "replica-b": 2 } });
    } finally {
      await db.close();
    }
    const run = verify({ PGLITE_DIR: copy });
    expect(run.stdout).toMatch(/^Audit checkpoint FAILED: chain replica-b, checkpoint at event 3 \(signed \S+Z\): the chain no longer has event 3, which it signs\.\n$/);
    expect(run.status).toBe(1);
  });

  it("detects a chain rebuilt with the database's own access: the chain alone verifies, its checkpoint does not", async () => {
    await withTrail(async (db) => {
      await db.query("ALTER TABLE audit_event DISABLE TRIGGER USER");
      const rows = await db.query<AuditRow>(`SELECT ${auditColumns} FROM audit_event WHERE chain = 'replica-a' ORDER BY seq`);
      let prev = "0".repeat(64);
      for (const row of rows.rows) {
        const { chain, seq, prevHash: _p, hash: _h, ...content } = eventFromRow(row);
        const forged = { ...content, consumer: content.consumer === null ? null : "benefits-app" };
        const hash = chainHash(chain, seq, prev, forged);
        await db.query("UPDATE audit_event SET consumer = $1, prev_hash = $2, hash = $3 WHERE chain = $4 AND seq = $5", [forged.consumer, prev, hash, chain, seq]);
        prev = hash;
      }
      await db.query("ALTER TABLE audit_event ENABLE TRIGGER USER");
      expect(await verifyAuditTrail(db)).toEqual({ ok: true, chains: { "replica-a": 4, "replica-b": 3 } });
    });
    const run = verify();
    expect(run.stdout).toMatch(
      /^Audit checkpoint FAILED: chain replica-a, checkpoint at event 3 \(signed \S+Z\): it no longer matches the chain: event 3 has hash [0-9a-f]{16}…, the signed checkpoint says [0-9a-f]{16}…\.\n$/,
    );
    expect(run.status).toBe(1);
  });
});
