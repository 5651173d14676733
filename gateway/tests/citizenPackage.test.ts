/**
 * A citizen's own evidence package (issue 19, "who saw my data"): their decisions and outcomes in full, every other
 * event of the chain range as its hash only, committed to by the checkpoints' signed segment roots. It verifies
 * offline, holds nothing of another citizen, and a changed event, a changed or missing hash is named.
 */
import { readFileSync } from "node:fs";
import { strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { exportCitizenPackage } from "../src/evidence/citizenPackage.ts";
import { checkpointJwks } from "../src/evidence/checkpointKeys.ts";
import { signCheckpoint } from "../src/evidence/checkpointSigner.ts";
import { insertCheckpoint } from "../src/evidence/checkpointStore.ts";
import { startCheckpointWriter } from "../src/evidence/checkpointWriter.ts";
import { verifyEvidencePackage } from "../src/evidence/packageVerify.ts";
import { createTsaClient } from "../src/evidence/tsaClient.ts";
import { permitRecord } from "./auditFixtures.ts";
import { newCheckpointKey, startTestTsa, type TestTsa } from "./evidenceFixtures.ts";
import { auditToken, startSystem, type System } from "./system.ts";

const alice = "199012345678";
const bob = "198503150123";
const key = newCheckpointKey();
let tsa: TestTsa;
let db: Db;
let trust: { jwks: ReturnType<typeof checkpointJwks>; caPem: string };
const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 600_000).toISOString() };

beforeAll(async () => {
  tsa = await startTestTsa();
  trust = { jwks: checkpointJwks(key.publicJwk, []), caPem: readFileSync(tsa.caFile, "utf8") };
  db = await openDb({ schema: "gateway" });
  await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  const log = await openAuditLog({ db, chain: "main", outcomeDelayMs: 0 });
  const writer = startCheckpointWriter({ db, chain: "main", key, intervalMs: 3_600_000, stamper: createTsaClient({ url: tsa.url }), policyRevision: () => "rev-1" });
  // Bob, Alice, Bob | checkpoint | Bob, Bob, Alice (with its outcome), Bob | checkpoint | Bob (after the last checkpoint)
  await log.append(permitRecord(bob));
  await log.append(permitRecord(alice));
  await log.append({ ...permitRecord(bob), consumer: "benefits-app" });
  await writer.tick();
  await log.append(permitRecord(bob));
  await log.append(permitRecord(bob));
  const mine = await log.append(permitRecord(alice));
  await log.complete({ decisionId: mine.id, traceId: mine.traceId, outcome: "ok", reasons: [] });
  await log.append(permitRecord(bob));
  await log.flush();
  await writer.tick();
  await log.append(permitRecord(bob));
  await log.flush();
  await writer.close().catch(() => undefined);
});
afterAll(async () => {
  await db?.close();
  await tsa?.close();
});

const entriesOf = (zip: Uint8Array) => unzipSync(zip);
const rezip = (entries: Record<string, Uint8Array>) => zipSync(Object.fromEntries(Object.entries(entries).map(([p, b]) => [p, [b, { level: 0 }]])));
const withEntry = (zip: Uint8Array, path: string, edit: (text: string) => string) => {
  const entries = entriesOf(zip);
  entries[path] = strToU8(edit(new TextDecoder().decode(entries[path])));
  return rezip(entries);
};

describe("a citizen's evidence package", () => {
  it("holds the citizen's events in full and every other event as its hash only, and verifies offline", async () => {
    const { zip, manifest } = await exportCitizenPackage(db, { ...window, citizen: alice }, trust);
    expect(manifest.format).toBe("ndx-citizen-evidence-package/1");
    expect(manifest.chains["main"]).toMatchObject({ fromSeq: 1, selected: [2, 6, 7] });
    const events = new TextDecoder().decode(entriesOf(zip)["events/main.jsonl"]).trim().split("\n");
    expect(events.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([2, 6, 7]);
    // Not a byte of Bob's: his NIC is in none of the entries.
    for (const [path, bytes] of Object.entries(entriesOf(zip))) expect(new TextDecoder().decode(bytes), path).not.toContain(bob);
    const verdict = await verifyEvidencePackage(zip);
    expect(verdict.message).toBe("Evidence package intact: 3 selected event(s), 3 event(s) in 1 chain(s), 2 signed checkpoint(s), 2 of them time-stamped.");
    expect(verdict.ok).toBe(true);
  });

  it("names a changed event, a changed hash of another's event and a missing one", async () => {
    const { zip } = await exportCitizenPackage(db, { ...window, citizen: alice }, trust);
    const changedEvent = await verifyEvidencePackage(withEntry(zip, "events/main.jsonl", (t) => t.replace('"passport-app"', '"benefits-app"')));
    expect(changedEvent.message).toMatch(/^Evidence package FAILED: chain main, event 2 \(id [0-9a-f-]+\): its content does not match its hash\.$/);
    const hashes = new TextDecoder().decode(entriesOf(zip)["hashes/main.txt"]).trim().split("\n");
    const forged = await verifyEvidencePackage(withEntry(zip, "hashes/main.txt", (t) => t.replace(hashes[3] ?? "", "0".repeat(64))));
    expect(forged.message).toMatch(/^Evidence package FAILED: chain main, checkpoint at event 8 \(signed .+\): the hashes of events 4 to 8 do not match its signed segment root\.$/);
    // The hash just before one of the citizen's events is tied to that event's previous-hash.
    const beforeMine = await verifyEvidencePackage(withEntry(zip, "hashes/main.txt", (t) => t.replace(hashes[4] ?? "", "0".repeat(64))));
    expect(beforeMine.message).toMatch(/^Evidence package FAILED: chain main, event 6 \(id [0-9a-f-]+\): its previous-hash does not match the event before it\.$/);
    const missing = await verifyEvidencePackage(withEntry(zip, "hashes/main.txt", (t) => t.replace(`${hashes[0] ?? ""}\n`, "")));
    expect(missing.message).toBe("Evidence package FAILED: chain main: 7 hashes where the manifest says events 1 to 8.");
  });

  it("is not made over checkpoints that sign no segment root (made before roots were signed)", async () => {
    const other = await openDb({ schema: "gateway" });
    await migrate(other, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const log = await openAuditLog({ db: other, chain: "old", outcomeDelayMs: 0 });
    const event = await log.append(permitRecord(alice));
    await log.flush();
    const claims = { chain: "old", seq: 1, hash: (await other.query<{ hash: string }>("SELECT hash FROM audit_event")).rows[0]?.hash ?? "", at: new Date().toISOString(), policyRevision: null };
    await insertCheckpoint(other, { ...claims, kid: key.kid, jws: await signCheckpoint(key, claims) });
    expect(event.seq).toBe(1);
    await expect(exportCitizenPackage(other, { ...window, citizen: alice }, trust)).rejects.toThrow(/signs no segment root/);
    await other.close();
  });
});

describe("GET /audit/citizens/{nic}/evidence through the gateway", () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ env: { AUDIT_CHECKPOINT_INTERVAL_MS: "100" } });
  });
  afterAll(async () => system?.close());

  it("answers the portal's service token with the citizen's own package, which verifies", async () => {
    const passport = await system.token("passport-app");
    const personQuery = `query Person($nic: String!) { person(nic: $nic) { fullName } }`;
    for (const nic of [alice, bob]) await system.query({ query: personQuery, variables: { nic } }, { authorization: `Bearer ${passport}`, "x-purpose": "passport-application" });
    const url = `http://gateway.test/audit/citizens/${alice}/evidence`;
    expect((await system.gateway.yoga.fetch(url)).status).toBe(401);
    const download = async () => {
      const response = await system.gateway.yoga.fetch(url, { headers: { authorization: `Bearer ${auditToken}` } });
      const zip = new Uint8Array(await response.arrayBuffer());
      const verdict = response.status === 200 ? await verifyEvidencePackage(zip).catch(() => undefined) : undefined;
      return { response, zip, verdict };
    };
    // The audit events and a checkpoint covering them are written in the background (checkpoints every 100 ms): awaited
    // up to 15 s rather than a fixed 500 ms, which a loaded 2-core CI machine could overrun.
    const complete = /^Evidence package intact: 1 selected event\(s\)/;
    let got = await download();
    for (const end = Date.now() + 15_000; !complete.test(got.verdict?.message ?? "") && Date.now() < end; got = await download()) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const { response, zip, verdict } = got;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="ndx-evidence-${alice}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`));
    expect(verdict?.message).toMatch(complete);
    for (const bytes of Object.values(entriesOf(zip))) expect(new TextDecoder().decode(bytes)).not.toContain(bob);
  });
});
