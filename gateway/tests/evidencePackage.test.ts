/**
 * Evidence packages (issue 19): `npm run audit:export` writes one zip for a time window and one citizen (or one
 * consumer); `npm run audit:verify-package` verifies it from its bytes alone — no database, no network — and when one
 * byte of it changes names the event or the checkpoint that fails. Two replicas' chains, the development TSA.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDb, parseGatewaySigningKey, readMigrations } from "@ndx/platform";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { startCheckpointWriter } from "../src/evidence/checkpointWriter.ts";
import type { Manifest } from "../src/evidence/packageFormat.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { startTestTsa, type TestTsa } from "./evidenceFixtures.ts";

const gatewayDir = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "ndx-evidence-package-"));
const trail = join(work, "trail");
const checkpointKey = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const alice = "199012345678";
const bob = "198503150123";
let tsa: TestTsa;
let otherTsa: TestTsa;
let started: string;

function cli(command: "export" | "verify", args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _url, PGLITE_DIR: _dir, ...rest } = process.env;
  const run = spawnSync(process.execPath, ["src/evidence/packageCli.ts", command, ...args], {
    cwd: gatewayDir,
    env: { ...rest, INIT_CWD: work, ...env },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
const exportFor = (...args: string[]) =>
  cli("export", ["--from", started, "--to", new Date(Date.now() + 60_000).toISOString(), ...args], {
    PGLITE_DIR: trail,
    AUDIT_CHECKPOINT_KEY: checkpointKey,
    AUDIT_TSA_CA_FILE: tsa.caFile,
  });

beforeAll(async () => {
  [tsa, otherTsa] = await Promise.all([startTestTsa(), startTestTsa()]);
  started = new Date(Date.now() - 1000).toISOString();
  const db = await openDb({ dataDir: trail, schema: "gateway" });
  await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  const key = parseGatewaySigningKey(checkpointKey);
  for (const chain of ["replica-a", "replica-b"]) {
    const log = await openAuditLog({ db, chain });
    const writer = startCheckpointWriter({ db, chain, key, intervalMs: 3_600_000, stamper: createTsaClient({ url: tsa.url }), policyRevision: () => "rev-1" });
    await log.append(permitRecord(bob));
    await log.append(permitRecord(alice));
    await writer.tick();
    await log.append({ ...permitRecord(bob), consumer: "benefits-app" });
    await log.append(permitRecord(alice));
    await log.flush();
    await writer.close();
  }
  await db.close();
});
afterAll(async () => {
  await Promise.all([tsa?.close(), otherTsa?.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe("evidence packages", () => {
  it("exports one citizen's accesses with their covering checkpoints, and verifies offline", () => {
    const exported = exportFor("--citizen", alice, "--out", "alice.zip");
    expect(exported.stderr).toBe("");
    expect(exported.stdout).toBe(`Evidence package written to ${join(work, "alice.zip")}: 4 selected event(s) in 2 chain(s).\n`);
    expect(exported.status).toBe(0);
    const entries = unzipSync(readFileSync(join(work, "alice.zip")));
    const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"])) as Manifest;
    expect(manifest.chains).toEqual({
      "replica-a": { fromSeq: 1, toSeq: 4, selected: [2, 4] },
      "replica-b": { fromSeq: 1, toSeq: 4, selected: [2, 4] },
    });
    expect(Object.keys(entries).sort()).toEqual([
      "certificates/tsa-ca.pem",
      "checkpoints/replica-a.jsonl",
      "checkpoints/replica-b.jsonl",
      "events/replica-a.jsonl",
      "events/replica-b.jsonl",
      "keys/audit-jwks.json",
      "manifest.json",
    ]);

    const verified = cli("verify", ["alice.zip"]);
    expect(verified.stdout).toMatch(/^Evidence package intact: 4 selected event\(s\), 8 event\(s\) in 2 chain\(s\), 4 signed checkpoint\(s\), 4 of them time-stamped\.\n/);
    expect(verified.stdout).toMatch(/trusting TSA CA \(from the package\): SHA-256 [0-9a-f]{64}\n/);
    expect(verified.status).toBe(0);
    // With the verifier's own trust anchors pinned: the right CA passes, another TSA's CA fails, naming the checkpoint.
    expect(cli("verify", ["alice.zip", "--ca", tsa.caFile]).status).toBe(0);
    const foreign = cli("verify", ["alice.zip", "--ca", otherTsa.caFile]);
    expect(foreign.stdout).toMatch(/^Evidence package FAILED: chain replica-a, checkpoint at event 2 \(signed \S+\): its time-stamp token does not verify against the trusted TSA CA/);
    expect(foreign.status).toBe(1);
  });

  it("exports a citizen's own package with --for-citizen: other citizens' events as hashes only, and verifies offline", () => {
    const exported = exportFor("--citizen", alice, "--for-citizen", "--out", "alice-own.zip");
    expect(exported.stdout).toBe(`Citizen's evidence package written to ${join(work, "alice-own.zip")}: 4 of their event(s) in 2 chain(s), other events as hashes only.\n`);
    expect(exported.status).toBe(0);
    const bytes = readFileSync(join(work, "alice-own.zip"));
    for (const entry of Object.values(unzipSync(bytes))) expect(new TextDecoder().decode(entry)).not.toContain(bob);
    const verified = cli("verify", ["alice-own.zip", "--ca", tsa.caFile]);
    expect(verified.stdout).toMatch(/^Evidence package intact: 4 selected event\(s\), 4 event\(s\) in 2 chain\(s\)/);
    expect(verified.status).toBe(0);
    expect(exportFor("--for-citizen", "--out", "x.zip").status).toBe(2);
  });

  it("selects one consumer's decisions", () => {
    expect(exportFor("--consumer", "benefits-app", "--out", "benefits.zip").stdout).toMatch(/: 2 selected event\(s\) in 2 chain\(s\)\.\n$/);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(readFileSync(join(work, "benefits.zip")))["manifest.json"])) as Manifest;
    expect(manifest.chains["replica-a"]).toEqual({ fromSeq: 3, toSeq: 4, selected: [3] });
    expect(cli("verify", ["benefits.zip"]).status).toBe(0);
  });

  it("names the event, or the checkpoint, whose byte was changed", () => {
    const zip = readFileSync(join(work, "alice.zip"));
    const events = new TextDecoder().decode(unzipSync(zip)["events/replica-b.jsonl"]).split("\n");
    const id = (JSON.parse(events[2] ?? "{}") as { id: string }).id; // replica-b, event 3
    const changed = (needle: string, offset: number) => {
      const copy = Buffer.from(zip);
      const at = copy.indexOf(needle) + offset;
      expect(at).toBeGreaterThan(offset - 1);
      copy[at] = (copy[at] ?? 0) ^ 0x01; // one bit of one byte
      writeFileSync(join(work, "changed.zip"), copy);
      return cli("verify", ["changed.zip"]);
    };
    const event = changed(`"id":"${id}"`, 8);
    expect(event.stdout).toMatch(/^Evidence package FAILED: chain replica-b, event 3 \(id [^)]+\): its content does not match its hash\.\n/);
    expect(event.status).toBe(1);

    const checkpoints = new TextDecoder().decode(unzipSync(zip)["checkpoints/replica-a.jsonl"]);
    const tst = (JSON.parse(checkpoints.split("\n")[1] ?? "{}") as { tst: string }).tst; // replica-a, the checkpoint at event 4
    const token = changed(tst.slice(200, 240), 10);
    expect(token.stdout).toMatch(/^Evidence package FAILED: chain replica-a, checkpoint at event 4 \(signed \S+\): its time-stamp token/);
    expect(token.status).toBe(1);
  });

  it("refuses bad arguments with exit 2 and its usage", () => {
    const both = exportFor("--citizen", alice, "--consumer", "benefits-app", "--out", "x.zip");
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give --citizen or --consumer, not both\nusage: npm run audit:export/);
    expect(cli("verify", []).status).toBe(2);
  });
});
