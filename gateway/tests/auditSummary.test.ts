/**
 * GET /audit/summary: only exchange administrators (a staff token of a real HTTP issuer, verified by the gateway's
 * authenticator), `days` from 1 to 90, and figures aggregated from real audit rows written through the audit log, with
 * the answers of the real consent engine (on PGlite, over HTTP, its clock moved) or marked unavailable when it cannot
 * answer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { createYoga } from "graphql-yoga";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConsentEngine, fixedApplicationRegister, prepareConsentDatabase, type ConsentEngine } from "@ndx/consent-engine";
import { loadExchangeSeed, loadFarajaland, seedRegister } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile, listen as listenHandler, migrate, openDb, readMigrations, type Db, type Listening } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { createAuthenticator } from "../src/access/consumerAuth.ts";
import { useAuditApi } from "../src/audit/auditApi.ts";
import type { AuditContent } from "../src/audit/auditEvent.ts";
import { openAuditLog } from "../src/audit/auditLog.ts";
import type { AuditSummary } from "@ndx/contracts";
import { buildBundle, loadAccessPolicy, type AccessPolicy } from "@ndx/policy";
import { createAuditSummary, useAuditSummary, windowDates, type AuditSummaryOptions } from "../src/audit/auditSummary.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { permitRecord } from "./auditFixtures.ts";

const audience = "http://localhost:4000/graphql";
const consentToken = "test-consent-service-token-0123456789";
const now = new Date("2026-12-06T10:30:00.000Z");

let issuerServer: Server;
let issuer: string;
let signingKey: CryptoKey;
/** The real consent engine, on its own clock, with consents answered on 5 and 6 December. */
let engineDb: Db;
let engine: ConsentEngine;
let engineHttp: Listening;
let engineUrl: string;
/** The real policy bundle, as the gateway holds it. */
let policy: AccessPolicy;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** On 5 December: two grants (one for a day) and a refusal; on 6 December: a revocation and the one-day grant expiring. */
async function answerConsents(setClock: (iso: string) => void): Promise<void> {
  const { service } = engine;
  const ask = async (citizenId: string) =>
    (await service.openRequest({ consumerId: "passport-app", citizenId, purpose: "passport-application", fields: [{ provider: "registry", field: "Person.fullName" }] })).consent.consentId;
  setClock("2026-12-05T09:00:00.000Z");
  const [short, long, refused] = [await ask("198503150123"), await ask("199012345678"), await ask("200101010011")];
  await service.grant(short, { citizenId: "198503150123", via: "api", durationDays: 1 });
  await service.grant(long, { citizenId: "199012345678", via: "api", durationDays: 7 });
  await service.reject(refused, { citizenId: "200101010011", via: "api" });
  setClock("2026-12-06T10:00:00.000Z");
  await service.revoke(long, { citizenId: "199012345678", via: "api" });
  expect(await service.expireDue()).toBe(1);
  setClock(now.toISOString());
}

beforeAll(async () => {
  buildBundle();
  policy = await loadAccessPolicy();
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  const keys: JWK[] = [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }];
  issuerServer = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === "/jwks") res.end(JSON.stringify({ keys }));
    else res.writeHead(404).end();
  });
  issuer = await listen(issuerServer);

  let clock = now;
  engineDb = await openDb({ schema: "consent" });
  await prepareConsentDatabase(engineDb);
  engine = await createConsentEngine({
    db: engineDb,
    applications: fixedApplicationRegister(seedRegister(loadExchangeSeed(), loadFarajaland(defaultFixturesFile))),
    serviceToken: consentToken,
    portalUrl: "http://localhost:8081",
    oidc: { issuer: "http://localhost:9000", clientId: "consent-portal", clientSecret: "unused-here" },
    development: true,
    logger: createLogger("consent-engine", "silent"),
    expirySweepSeconds: 3600,
    now: () => clock,
  });
  engineHttp = await listenHandler(engine.nodeHandler, 0);
  engineUrl = engineHttp.url;
  await answerConsents((iso) => {
    clock = new Date(iso);
  });
});
afterAll(async () => {
  await new Promise((r) => issuerServer.close(r));
  await engineHttp?.close();
  await engine?.close();
  await engineDb?.close();
});

async function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ kind: "staff", roles: ["exchange_admin"], ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(typeof claims["sub"] === "string" ? claims["sub"] : "exchange.admin")
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(signingKey);
}

for (const backend of testBackends()) {
  describe(`GET /audit/summary on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    async function open(overrides: Partial<AuditSummaryOptions> = {}) {
      db = await backend.open("gateway");
      await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      const log = await openAuditLog({ db });
      return { log, ...(await reopen(overrides)) };
    }

    /** A summary handler over the open database. */
    async function reopen(overrides: Partial<AuditSummaryOptions> = {}) {
      const handler = createAuditSummary({
        db: db as Db,
        authenticator: createAuthenticator({ issuer, audience }),
        policy: { current: policy },
        consentEngineUrl: engineUrl,
        consentServiceToken: consentToken,
        now: () => now,
        cacheMs: 0,
        ...overrides,
      });
      const get = async (path: string, authorization?: string): Promise<Response> => {
        const response = await handler(new Request(`http://gateway.test${path}`, authorization === undefined ? {} : { headers: { authorization } }));
        if (response === undefined) throw new Error(`${path} was not answered`);
        return response;
      };
      return { get };
    }

    it("refuses without a token (401), a token without exchange_admin (403), and days outside 1–90 (400)", async () => {
      const { get } = await open();
      const none = await get("/audit/summary");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toContain("Bearer");
      expect(await none.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: "a bearer token is required" } });
      expect((await get("/audit/summary", "Bearer not.a.token")).status).toBe(401);

      for (const claims of [
        { sub: "immigration.admin", roles: ["member_admin"] },
        { sub: "drp.owner", roles: ["provider_data_owner"] },
        // An application's token is never staff, whatever roles it carries.
        { sub: "passport-app", kind: "consumer", client_id: "passport-app", roles: ["exchange_admin"] },
      ]) {
        const refused = await get("/audit/summary", `Bearer ${await token(claims)}`);
        expect(refused.status).toBe(403);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
      }

      const admin = `Bearer ${await token({})}`;
      for (const days of ["0", "91", "-1", "1.5", "seven", "", "0x10", "007"]) {
        const bad = await get(`/audit/summary?days=${days}`, admin);
        expect(bad.status, days).toBe(400);
        expect(await bad.json()).toEqual({ error: { code: "BAD_USER_INPUT", message: "days must be a whole number from 1 to 90" } });
      }
      expect((await get("/audit/summary?days=90", admin)).status).toBe(200);
      expect((await get("/audit/summary?days=1", admin)).status).toBe(200);
    });

    it("leaves who may read it to the policy: the roles data.reports names for auditSummary, not a role in code", async () => {
      // Run-time data replaces the bundle's top-level keys: here its reports (a document with more than consumers).
      const document = { consumers: {}, reports: { auditSummary: ["auditor"] } };
      const auditors = await loadAccessPolicy(undefined, { data: { document, revision: "test" } });
      const { get } = await open({ policy: { current: auditors } });
      const auditor = await get("/audit/summary?days=1", `Bearer ${await token({ sub: "audit.reader", roles: ["auditor"] })}`);
      expect(auditor.status).toBe(200);
      const admin = await get("/audit/summary?days=1", `Bearer ${await token({})}`);
      expect(admin.status).toBe(403);
      expect(await admin.json()).toEqual({
        error: { code: "FORBIDDEN", message: "the audit summary is not for this caller: the auditSummary report needs one of the roles auditor" },
      });
    });

    it("counts the audit trail's decisions per day, per application and by kind, with the consent engine's answers", async () => {
      const { log, get } = await open();
      const at = (day: string, time = "09:00:00.000") => `${day}T${time}Z`;
      const write = (overrides: Partial<AuditContent> & { at: string }) => log.append({ ...permitRecord(), ...overrides });
      await Promise.all([
        write({ at: at("2026-12-04") }),
        write({ at: at("2026-12-04", "23:59:59.999") }),
        write({ at: at("2026-12-05", "00:00:00.000"), decision: "consent_required" }),
        write({ at: at("2026-12-05"), consumer: "benefits-app", purpose: "benefit-eligibility", decision: "forbidden" }),
        write({ at: at("2026-12-06"), consumer: "benefits-app", purpose: "benefit-eligibility" }),
        write({ at: at("2026-12-06"), consumer: "benefits-app", purpose: "benefit-eligibility", decision: "unavailable" }),
        // A staff member's GraphQL request counts as a decision, not as an application's request.
        write({ at: at("2026-12-06"), caller: "staff", consumer: "exchange.admin", decision: "permit" }),
        write({ at: at("2026-12-06"), caller: null, consumer: null, decision: "unauthenticated" }),
        write({ at: at("2026-12-06"), decision: "bad_request" }),
        // Before the window: not counted.
        write({ at: at("2026-12-03", "23:59:59.999") }),
      ]);
      // An outcome event is no decision.
      await log.append({ ...permitRecord(), at: at("2026-12-06"), kind: "outcome", decision: null, decisionId: "8f14e45f-ceea-467a-9f0e-2f6b3b1e2a11", outcome: "ok" });
      await log.flush();

      const response = await get("/audit/summary?days=3", `Bearer ${await token({})}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const summary = (await response.json()) as AuditSummary;
      expect(summary).toEqual({
        days: 3,
        dates: ["2026-12-04", "2026-12-05", "2026-12-06"],
        requests: [
          { application: "passport-app", counts: [2, 1, 1] },
          { application: "benefits-app", counts: [0, 1, 2] },
        ],
        decisions: {
          permit: [2, 0, 2],
          consent_required: [0, 1, 0],
          forbidden: [0, 1, 0],
          unauthenticated: [0, 0, 1],
          bad_request: [0, 0, 1],
          unavailable: [0, 0, 1],
        },
        consent: { available: true, answers: { granted: [0, 2, 0], denied: [0, 1, 0], revoked: [0, 0, 1], expired: [0, 0, 1] } },
        generatedAt: now.toISOString(),
      });
      expect(JSON.stringify(summary)).not.toContain("199012345678");
      // With another service token the engine refuses, and the consent part says so.
      const { get: withWrongToken } = await reopen({ consentServiceToken: "not-the-engine-token-0123456789" });
      const refused = (await (await withWrongToken("/audit/summary?days=3", `Bearer ${await token({})}`)).json()) as AuditSummary;
      expect(refused.consent).toEqual({ available: false, reason: "the consent engine answered HTTP 401" });
    });

    it("still answers with the gateway's figures when the consent engine cannot answer", async () => {
      const closed = createServer();
      const closedUrl = await listen(closed);
      await new Promise((r) => closed.close(r));
      for (const [url, reason] of [
        [closedUrl, "the consent engine could not be reached"],
        [issuer, "the consent engine answered HTTP 404"],
      ] as const) {
        const { log, get } = await open({ consentEngineUrl: url });
        await log.append({ ...permitRecord(), at: "2026-12-06T08:00:00.000Z" });
        const response = await get("/audit/summary?days=1", `Bearer ${await token({})}`);
        expect(response.status).toBe(200);
        const summary = (await response.json()) as AuditSummary;
        expect(summary.requests).toEqual([{ application: "passport-app", counts: [1] }]);
        expect(summary.consent).toEqual({ available: false, reason });
        await db?.close();
        db = undefined;
      }
    });

    it("keeps an answer for cacheMs, and is answered before useAuditApi in a yoga server", async () => {
      let clock = now.getTime();
      const { log, get } = await open({ cacheMs: 10_000, now: () => new Date(clock) });
      const admin = `Bearer ${await token({})}`;
      const first = (await (await get("/audit/summary?days=1", admin)).json()) as AuditSummary;
      await log.append({ ...permitRecord(), at: "2026-12-06T08:00:00.000Z" });
      expect(await (await get("/audit/summary?days=1", admin)).json()).toEqual(first);
      clock += 10_000;
      expect(((await (await get("/audit/summary?days=1", admin)).json()) as AuditSummary).requests).toEqual([{ application: "passport-app", counts: [1] }]);

      const options = { db: db as Db, authenticator: createAuthenticator({ issuer, audience }), policy: { current: policy }, consentEngineUrl: engineUrl, consentServiceToken: consentToken };
      const yoga = createYoga({ plugins: [useAuditSummary(options), useAuditApi(db as Db, "audit-read-token")] });
      const viaYoga = await yoga.fetch("http://gateway.test/audit/summary?days=2", { headers: { authorization: admin } });
      expect(viaYoga.status).toBe(200);
      expect(((await viaYoga.json()) as AuditSummary).days).toBe(2);
      // The citizens' audit API behind it still answers its own paths.
      const anonymous = await yoga.fetch("http://gateway.test/audit/citizens/199012345678/accesses");
      expect([anonymous.status, anonymous.headers.get("www-authenticate"), anonymous.headers.get("cache-control")]).toEqual([401, "Bearer", "no-store"]);
      expect(await anonymous.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: "A valid service token is required" } });
      const posted = await yoga.fetch("http://gateway.test/audit/citizens/199012345678/accesses", { method: "POST", headers: { authorization: "Bearer audit-read-token" } });
      expect([posted.status, posted.headers.get("allow")]).toEqual([405, "GET"]);
      expect((await yoga.fetch("http://gateway.test/audit/other")).status).toBe(404);
      // A malformed percent-escape where the NIC goes is not a NIC: 400, not a failure.
      const malformed = await yoga.fetch("http://gateway.test/audit/citizens/%E0%A4%A/accesses", { headers: { authorization: "Bearer audit-read-token" } });
      expect({ status: malformed.status, body: await malformed.json() }).toEqual({
        status: 400,
        body: { error: { code: "BAD_USER_INPUT", message: "The citizen id must be 12 digits" } },
      });
    });
  });
}

describe("windowDates", () => {
  it("ends with today (UTC) and counts back across a month's end", () => {
    expect(windowDates(3, new Date("2026-12-01T23:59:59.999Z"))).toEqual(["2026-11-29", "2026-11-30", "2026-12-01"]);
    expect(windowDates(1, new Date("2026-12-02T00:00:00.000Z"))).toEqual(["2026-12-02"]);
  });
});
