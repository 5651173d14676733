/**
 * The audit archive (issue 19 item 5): events older than the hot retention leave the table for signed, time-stamped
 * packages on disk, and nothing is lost when the archiving process is killed (SIGKILL) after any of its steps — a
 * restart finishes or rolls back the interrupted package; `audit:verify` passes across the archive boundary at every
 * point, and every event is in the table or in a verified archive, exactly once. PGlite on disk, and PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDb, parseGatewaySigningKey, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { runVerifyCommand } from "../src/audit/verifyCommand.ts";
import { listArchives } from "../src/evidence/archiveRecords.ts";
import { fileArchiveStore } from "../src/evidence/archiveStore.ts";
import { checkpointJwks } from "../src/evidence/checkpointKeys.ts";
import { startCheckpointWriter } from "../src/evidence/checkpointWriter.ts";
import { parsePemCertificates } from "../src/evidence/timeStampToken.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { startTestTsa, type TestTsa } from "./evidenceFixtures.ts";

const gatewayDir = resolve(import.meta.dirname, "..");
const chains = ["replica-a", "replica-b"];
// The child process is given the key as PEM, as the gateway would be.
const keyPem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const key = parseGatewaySigningKey(keyPem);
let tsa: TestTsa;
const work = mkdtempSync(join(tmpdir(), "ndx-evidence-archive-"));

beforeAll(async () => {
  tsa = await startTestTsa();
});
afterAll(async () => {
  await tsa?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Place {
  readonly url: string | undefined;
  readonly dataDir: string;
  open(): Promise<Db>;
  close(): Promise<void>;
}

async function placeFor(name: string, label: string): Promise<Place> {
  const dataDir = join(work, `trail-${name}-${label}`);
  if (name === "pglite") return { url: undefined, dataDir, open: () => openDb({ dataDir, schema: "gateway" }), close: async () => undefined };
  const backend = testBackends().find((b) => b.name === name);
  const held = await backend?.open("gateway");
  if (held?.url === undefined) throw new Error(`no ${name} backend`);
  const url = held.url;
  return { url, dataDir, open: () => openDb({ url, schema: "gateway", poolSize: 2 }), close: () => held.close() };
}

/** Three events and a time-stamped checkpoint, five times per chain, then two events no checkpoint covers yet. */
async function seed(db: Db): Promise<Map<string, string>> {
  await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  for (const chain of chains) {
    const log = await openAuditLog({ db, chain, outcomeDelayMs: 0 });
    const writer = startCheckpointWriter({ db, chain, key, intervalMs: 3_600_000, stamper: createTsaClient({ url: tsa.url }), policyRevision: () => "rev-1" });
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 3; i += 1) await log.append(permitRecord(`19901234${round}${i}00`));
      await writer.tick();
    }
    await log.append(permitRecord());
    await log.append(permitRecord());
    await log.flush();
    await writer.close();
    await writer.tick().catch(() => undefined);
  }
  const ids = await db.query<{ chain: string; seq: string; id: string }>("SELECT chain, seq, id FROM audit_event");
  return new Map(ids.rows.map((r) => [r.id, `${r.chain}:${r.seq}`]));
}

function archiveOnce(place: Place, archiveDir: string, pauseAt?: string): Promise<string> {
  const child = spawn(process.execPath, ["tests/archiveChild.ts"], {
    cwd: gatewayDir,
    env: {
      ...process.env,
      ...(place.url === undefined ? { PGLITE_DIR: place.dataDir } : { DATABASE_URL: place.url }),
      ARCHIVE_DIR: archiveDir,
      CHECKPOINT_KEY: keyPem,
      TSA_CA_FILE: tsa.caFile,
      ...(pauseAt === undefined ? {} : { ARCHIVE_PAUSE_AT: pauseAt }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((done, failed) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // Killed hard while it waits after the named step: no cleanup, no close.
      if (pauseAt !== undefined && out.includes("paused ")) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => {
      if (pauseAt !== undefined && signal === "SIGKILL" && out.includes(`paused ${pauseAt.split(":")[0]}`)) done(out);
      else if (pauseAt === undefined && code === 0) done(out);
      else failed(new Error(`archive child ended with ${code ?? signal} (${pauseAt ?? "no pause"}): ${out}${err}`));
    });
  });
}

async function verify(place: Place, archiveDir: string) {
  const caPem = readFileSync(tsa.caFile, "utf8");
  const jwks = checkpointJwks(key.publicJwk, []);
  return runVerifyCommand({
    url: place.url,
    dataDir: place.dataDir,
    checkpoints: { jwks, trusted: parsePemCertificates(caPem) },
    archive: { store: fileArchiveStore(archiveDir), trust: { jwks, caPem } },
  });
}

/** Where each event is now: the hot table's, and every recorded archive package's (listed per id). */
async function whereEventsAre(place: Place, archiveDir: string): Promise<string[]> {
  const db = await place.open();
  try {
    const hot = await db.query<{ id: string }>("SELECT id FROM audit_event");
    const archived: string[] = [];
    const store = fileArchiveStore(archiveDir);
    for (const record of await listArchives(db)) {
      if (record.removedAt === null) continue;
      const entries = unzipSync((await store.get(record.name)) ?? new Uint8Array());
      const text = new TextDecoder().decode(entries[`events/${record.chain}.jsonl`]);
      archived.push(...text.split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { id: string }).id));
    }
    return [...hot.rows.map((r) => r.id), ...archived];
  } finally {
    await db.close();
  }
}

describe.each(testBackends().map((b) => b.name))("the audit archive on %s", (backendName) => {
  it("archives through kill -9 at every step: verify passes throughout, and every event is kept exactly once", { timeout: 180_000 }, async () => {
    const place = await placeFor(backendName, "kill");
    const archiveDir = join(work, `archive-${backendName}`);
    try {
      const db = await place.open();
      const seeded = await seed(db);
      await db.close();
      expect(seeded.size).toBe(34);
      for (const pauseAt of ["built:1", "written:1", "recorded:1", "removed:1", "written:2", "recorded:3"]) {
        await archiveOnce(place, archiveDir, pauseAt);
        const verdict = await verify(place, archiveDir);
        expect(verdict.stdout, `${pauseAt}: ${verdict.stderr}`).toMatch(/^Audit trail intact: 34 events in 2 chain\(s\)/);
        expect(verdict.exitCode).toBe(0);
      }
      expect(await archiveOnce(place, archiveDir)).toMatch(/^done /);
      const verdict = await verify(place, archiveDir);
      expect(verdict.stderr).toBe("");
      expect(verdict.stdout).toContain("Archive verified: 10 package(s)");
      expect(verdict.stdout).toContain("replica-a: events 1 to 15, replica-b: events 1 to 15");
      expect(verdict.exitCode).toBe(0);

      const kept = await whereEventsAre(place, archiveDir);
      expect(kept.length).toBe(seeded.size);
      expect(new Set(kept)).toEqual(new Set(seeded.keys()));
      // Only the recorded packages are left in the archive: interrupted, unrecorded ones were rolled back.
      const check = await place.open();
      const records = await listArchives(check);
      const hot = await check.query<{ chain: string; seq: string }>("SELECT chain, seq FROM audit_event ORDER BY chain, seq");
      await check.close();
      const store = fileArchiveStore(archiveDir);
      const files = (await Promise.all(chains.map((c) => store.list(`${c}/`)))).flat();
      expect(files.sort()).toEqual(records.map((r) => r.name).sort());
      // Each chain's packages cover events 1 to 15 once, in order, with no gap or overlap (where each one ends depends
      // on where the checkpoints fell, which timing decides).
      for (const chain of chains) {
        const own = records.filter((r) => r.chain === chain).map((r) => [Number(r.fromSeq), Number(r.toSeq)] as const);
        expect(own[0]?.[0], chain).toBe(1);
        expect(own.at(-1)?.[1], chain).toBe(15);
        for (let i = 1; i < own.length; i++) expect(own[i]?.[0], `${chain} package ${i}`).toBe((own[i - 1]?.[1] ?? 0) + 1);
      }
      // The head of each chain stays hot, so a gateway continues its chain from it.
      expect(hot.rows.map((r) => `${r.chain}:${r.seq}`)).toEqual(["replica-a:16", "replica-a:17", "replica-b:16", "replica-b:17"]);

      // One changed byte in an archived package is named by audit:verify.
      const first = records[0];
      if (first === undefined) throw new Error("no archive");
      const path = join(archiveDir, first.name);
      const bytes = readFileSync(path);
      bytes[bytes.length - 200] = (bytes[bytes.length - 200] ?? 0) ^ 1;
      writeFileSync(path, bytes);
      const broken = await verify(place, archiveDir);
      expect(broken.exitCode).toBe(1);
      expect(broken.stdout).toBe(`Audit archive FAILED: chain ${first.chain}, events ${first.fromSeq} to ${first.toSeq}: its package ${first.name} does not match the recorded SHA-256.\n`);
    } finally {
      await place.close();
    }
  });

  it("allows only the removal of events a recorded archive covers", async () => {
    const place = await placeFor(backendName, "guard");
    try {
      const db = await place.open();
      await seed(db);
      await expect(db.query("DELETE FROM audit_event WHERE chain = 'replica-a' AND seq = 1")).rejects.toThrow(/append-only/);
      const one = await db.query<{ prev_hash: string; hash: string }>("SELECT prev_hash, hash FROM audit_event WHERE chain = 'replica-a' AND seq IN (1, 3) ORDER BY seq");
      const [first, third] = one.rows;
      const record = (from: number, firstPrev: string | undefined, last: string | undefined) =>
        db.query("INSERT INTO audit_archive (chain, from_seq, to_seq, first_prev_hash, last_hash, name, sha256) VALUES ('replica-a', $1, 3, $2, $3, $4, 'x')", [from, firstPrev, last, `n-${from}-${last}`]);
      // A record must start where the archive ends and match the events it covers.
      await expect(record(2, first?.prev_hash, third?.hash)).rejects.toThrow(/must start at event 1/);
      await expect(record(1, first?.prev_hash, first?.hash)).rejects.toThrow(/does not match its events/);
      await record(1, first?.prev_hash, third?.hash);
      await expect(db.query("DELETE FROM audit_event WHERE chain = 'replica-a' AND seq = 4")).rejects.toThrow(/append-only/);
      await expect(db.query("UPDATE audit_event SET consumer = 'x' WHERE chain = 'replica-a' AND seq = 1")).rejects.toThrow(/append-only/);
      expect((await db.query("DELETE FROM audit_event WHERE chain = 'replica-a' AND seq <= 3")).rowCount).toBe(3);
      await db.query("UPDATE audit_archive SET removed_at = now() WHERE chain = 'replica-a'");
      await expect(db.query("UPDATE audit_archive SET removed_at = NULL")).rejects.toThrow(/append-only/);
      await expect(db.query("DELETE FROM audit_archive")).rejects.toThrow(/append-only/);
      await db.close();
    } finally {
      await place.close();
    }
  });
});
