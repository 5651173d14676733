/**
 * Operational records (issue 19 item 6): every part real (tests/system.ts). Each request's record — consumer,
 * purpose, decision, each provider called with its duration and outcome, sizes, duration, status, and no NIC — is
 * queued in memory and written in batches, never on the request path; GET /operational-records answers a member's
 * people with their own traffic only (the policy's report rule, the register's members), exchange administrators all.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import { createAuthenticator } from "../src/access/consumerAuth.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { createOperationalQuery } from "../src/operations/operationalQuery.ts";
import type { OperationalRecord, RecordToWrite } from "../src/operations/operationalRecord.ts";
import { startOperationalWriter } from "../src/operations/operationalWriter.ts";
import { registerPolicy, seededRegister } from "./harness.ts";
import { startSystem, type System } from "./system.ts";

const nic = "199012345678";
const personQuery = `query Person($nic: String!) { person(nic: $nic) { fullName permanentAddress vehicles { regNo } } }`;

interface Row {
  consumer: string | null;
  purpose: string | null;
  decision: string | null;
  operation_name: string | null;
  providers: { provider: string; ms: number; outcome: string }[];
  request_bytes: number;
  response_bytes: number | null;
  duration_ms: number;
  status: number;
}

async function rowsOf(db: Db, n: number): Promise<Row[]> {
  for (let i = 0; i < 60; i += 1) {
    const rows = await db.query<Row>("SELECT * FROM operational_record ORDER BY at");
    if (rows.rows.length >= n) return rows.rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${n} operational records were written`);
}

describe("operational records through the gateway", () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => system?.close());

  it("records each request's consumer, purpose, decision, providers with durations, sizes and status — off the request path, without the NIC", async () => {
    const passport = await system.token("passport-app");
    const as = { authorization: `Bearer ${passport}`, "x-purpose": "passport-application" };
    const asked = await system.query({ query: personQuery, variables: { nic } }, as);
    expect(asked.status).toBe(403);
    // Answered before its record is written: the record waits in memory for the next batch.
    expect((await system.gatewayDb.query("SELECT 1 FROM operational_record")).rows).toEqual([]);
    await system.consentApi(`/v1/consent-requests/${asked.body["errors"][0].extensions.consentRequestId}/grant`, { citizenId: nic, durationDays: 7 });
    const read = await system.query({ query: personQuery, variables: { nic } }, as);
    expect(read.body["data"].person.fullName).toBe("Chikondi Emmanuel Mulenga");

    const [refused, permitted] = await rowsOf(system.gatewayDb, 2);
    expect(refused).toMatchObject({ consumer: "passport-app", purpose: "passport-application", decision: "consent_required", operation_name: "Person", providers: [], status: 403 });
    expect(permitted).toMatchObject({ consumer: "passport-app", purpose: "passport-application", decision: "permit", operation_name: "Person", status: 200 });
    expect(permitted?.providers.map((p) => `${p.provider}:${p.outcome}`).sort()).toEqual(["dmt:ok", "drp:ok", "registry:ok"]);
    for (const call of permitted?.providers ?? []) expect(call.ms).toBeGreaterThan(0);
    expect(permitted?.request_bytes).toBe(JSON.stringify({ query: personQuery, variables: { nic } }).length);
    expect(permitted?.response_bytes).toBeGreaterThan(50);
    expect(permitted?.duration_ms).toBeGreaterThanOrEqual(Math.max(...(permitted?.providers ?? []).map((p) => p.ms)));
    // No personal data: the NIC and what was read appear nowhere in the records.
    const stored = JSON.stringify(await system.gatewayDb.query("SELECT * FROM operational_record"));
    expect(stored).not.toContain(nic);
    expect(stored).not.toContain("Chikondi");
  });
});

describe("GET /operational-records", () => {
  let db: Db;
  let issuerServer: Server;
  let issuer: string;
  let key: CryptoKey;
  let query: (request: Request) => Promise<Response | undefined>;
  const now = new Date();
  const record = (over: Partial<RecordToWrite>): RecordToWrite => ({
    atMs: now.getTime() - 60_000,
    replica: "main",
    traceId: "t",
    caller: "consumer",
    consumer: "passport-app",
    purpose: "passport-application",
    operationName: "Person",
    decision: "permit",
    providers: [],
    requestBytes: 100,
    responseBytes: 200,
    durationMs: 12.5,
    status: 200,
    ...over,
  });
  const staff = (sub: string, roles: string[], kind = "staff") =>
    new SignJWT({ kind, roles, ...(kind === "consumer" ? { client_id: sub } : {}) })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience("gw")
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);
  const get = async (token: string, search = "") => {
    const response = await query(new Request(`http://gateway.test/operational-records${search}`, { headers: { authorization: `Bearer ${token}` } }));
    if (response === undefined) throw new Error("not answered");
    return { status: response.status, body: (await response.json()) as { records: OperationalRecord[]; error?: { code: string; message: string } } };
  };

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    key = pair.privateKey;
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }];
    issuerServer = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/jwks") res.end(JSON.stringify({ keys }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => issuerServer.listen(0, "127.0.0.1", r));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    db = await openDb({ schema: "gateway" });
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const writer = startOperationalWriter({ db, flushMs: 3_600_000 });
    writer.add(record({ providers: [{ provider: "registry", ms: 3, outcome: "ok" }, { provider: "dmt", ms: 4, outcome: "ok" }] }));
    writer.add(record({ consumer: "benefits-app", purpose: "benefit-eligibility", providers: [{ provider: "registry", ms: 3, outcome: "ok" }, { provider: "drp", ms: 9, outcome: "timeout" }] }));
    writer.add(record({ caller: "staff", consumer: null, purpose: null, operationName: "Members", providers: [{ provider: "exchange", ms: 2, outcome: "ok" }] }));
    writer.add(record({ atMs: now.getTime() - 9 * 86_400_000 }));
    await writer.close();
    const register = seededRegister();
    const policy = await registerPolicy(register);
    query = createOperationalQuery({
      db,
      authenticator: createAuthenticator({ issuer, audience: "gw", jwksUri: `${issuer}/jwks` }),
      policy: { current: policy },
      register: () => register,
      now: () => now,
    });
  });
  afterAll(async () => {
    await db?.close();
    issuerServer?.close();
  });

  it("answers exchange administrators with every record of the window", async () => {
    const { status, body } = await get(await staff("exchange.admin", ["exchange_admin"]));
    expect(status).toBe(200);
    expect(body.records.map((r) => r.consumer ?? r.caller).sort()).toEqual(["benefits-app", "passport-app", "staff"]);
  });

  it("answers a consumer member's admin with its applications' requests, and a provider's owner with the calls to its provider only", async () => {
    const die = await get(await staff("immigration.admin", ["member_admin"]));
    expect(die.status).toBe(200);
    expect(die.body.records.map((r) => r.consumer)).toEqual(["passport-app"]);
    expect(die.body.records[0]?.providers.map((p) => p.provider)).toEqual(["registry", "dmt"]);
    const drp = await get(await staff("drp.owner", ["provider_data_owner"]));
    expect(drp.body.records.map((r) => r.consumer)).toEqual(["benefits-app"]);
    expect(drp.body.records[0]?.providers).toEqual([{ provider: "drp", ms: 9, outcome: "timeout" }]);
    const rgd = await get(await staff("rgd.owner", ["provider_data_owner"]), "?consumer=passport-app");
    expect(rgd.body.records.map((r) => `${r.consumer}:${r.providers.map((p) => p.provider).join()}`)).toEqual(["passport-app:registry"]);
    // Older than the window asked for: not there; the window is the reader's.
    const week = await get(await staff("immigration.admin", ["member_admin"]), `?from=${new Date(now.getTime() - 10 * 86_400_000).toISOString()}`);
    expect(week.body.records).toHaveLength(2);
  });

  it("writes records in prepared INSERTs of at most maxBatch and deletes those older than the retention 250 at a time", async () => {
    const inserts: number[] = [];
    const deletes: string[] = [];
    const counted: Db = Object.assign(Object.create(db) as Db, {
      query: (sql: string, params?: readonly unknown[]) => {
        if (sql.trim().startsWith("DELETE")) deletes.push(sql);
        else expect.unreachable(`only the sweep queries unprepared: ${sql.slice(0, 40)}`);
        return db.query(sql, params);
      },
      runPrepared: (name: string, sql: string, params: readonly unknown[]) => {
        inserts.push(params.length / 14);
        return db.runPrepared(name, sql, params);
      },
    });
    const writer = startOperationalWriter({ db: counted, flushMs: 3_600_000, retentionDays: 7, maxBatch: 20 });
    for (let i = 0; i < 15; i += 1) writer.add(record({ traceId: `batch-${i}` }));
    expect(inserts).toEqual([]);
    for (let i = 15; i < 50; i += 1) writer.add(record({ traceId: `batch-${i}` }));
    await writer.flush();
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(50);
    expect(Math.max(...inserts)).toBe(20);
    const stored = await db.query<{ trace_id: string }>("SELECT trace_id FROM operational_record WHERE trace_id LIKE 'batch-%'");
    expect(stored.rows.map((r) => r.trace_id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `batch-${i}`).sort());

    const old = now.getTime() - 8 * 86_400_000;
    for (let i = 0; i < 2500; i += 1) writer.add(record({ traceId: `old-${i}`, atMs: old }));
    await writer.flush();
    // The one record older than the retention written before, and these 2,500: in eleven statements.
    expect(await writer.sweep()).toBe(2501);
    expect(deletes).toHaveLength(11);
    await writer.close();
    expect((await db.query("SELECT count(*)::int AS n FROM operational_record WHERE at < now() - interval '7 days'")).rows).toEqual([{ n: 0 }]);
    expect((await db.query("SELECT count(*)::int AS n FROM operational_record WHERE trace_id LIKE 'batch-%'")).rows).toEqual([{ n: 50 }]);
  });

  it("refuses consumers, staff without a member role or member, and bad parameters", async () => {
    const consumer = await get(await staff("passport-app", [], "consumer"));
    expect(consumer.status).toBe(403);
    expect(consumer.body.error?.code).toBe("FORBIDDEN");
    const registrar = await get(await staff("registrar1", ["registrar"]));
    expect(registrar.status).toBe(403);
    expect(registrar.body.error?.message).toContain("needs one of the roles exchange_admin, member_admin, provider_data_owner");
    const stranger = await get(await staff("health.admin", ["member_admin"]));
    expect(stranger.status).toBe(403);
    expect(stranger.body.error?.message).toContain("no person of a member");
    expect((await get(await staff("exchange.admin", ["exchange_admin"]), "?limit=5000")).status).toBe(400);
    expect((await get(await staff("exchange.admin", ["exchange_admin"]), "?from=yesterday")).status).toBe(400);
    expect((await get("not-a-token")).status).toBe(401);
  });
});
