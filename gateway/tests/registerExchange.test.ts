/**
 * The gateway with the real exchange subgraph (subgraphs/exchange, seeded, PGlite) over real HTTP: its register is
 * followed and is the policy's data (the same grants as the gateway's own development fallback, seedRegister.ts); an
 * exchange administrator's suspension, made through the gateway, is in the hash chain with what it changed, never in
 * the response; a grant revoked, or an application suspended, is refused on the very next query (the exchange answers
 * a tightening change only once the gateway's follower holds it), with no subgraph called.
 */
import { randomBytes } from "node:crypto";
import { createExchange, loadFieldCatalogue, migrationsDir as exchangeMigrations, seedExchange, type ExchangeServer } from "@ndx/exchange";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { createRegisterFollower, listen, migrate, openDb, readMigrations, type Db, type Listening, type RegisterFollower } from "@ndx/platform";
import { buildBundle, watchAccessPolicy, type PolicyHolder } from "@ndx/policy";
import { readSupergraph, supergraphFile } from "@ndx/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentCheck } from "../src/access/consentCheck.ts";
import type { Caller } from "../src/access/consumerAuth.ts";
import { createRegisterPolicy } from "../src/access/registerPolicy.ts";
import type { OutcomeEntry } from "../src/audit/auditEvent.ts";
import { openAuditLog, type AuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { buildFieldCatalogue, createGateway, useAccess, verifyAuditTrail, type Gateway } from "../src/index.ts";
import { assertions, gatewayTrust, logger, seededRegister, startRegistry, type RunningRegistry } from "./harness.ts";

const serviceToken = "test-exchange-service-token-0123";
const nic = "199012345678";
const callers: Record<string, Caller> = {
  "Bearer passport": { kind: "consumer", id: "passport-app", roles: [], scopes: [] },
  "Bearer admin": { kind: "staff", id: "exchange.admin", roles: ["exchange_admin"], scopes: [] },
};

let exchangeDb: Db;
let exchange: ExchangeServer;
let exchangeHttp: Listening;
let registry: RunningRegistry;
let gatewayDb: Db;
let audit: AuditLog;
let holder: PolicyHolder;
let follower: RegisterFollower;
let gateway: Gateway;
const applied: number[] = [];

beforeAll(async () => {
  exchangeDb = await openDb({ schema: "exchange" });
  await migrate(exchangeDb, readMigrations(exchangeMigrations), "ndx:exchange");
  const catalogue = loadFieldCatalogue(supergraphFile);
  await seedExchange(exchangeDb, { seed: loadExchangeSeed(), consumers: loadFarajaland().consumers, catalogue });
  const refuse = () => Promise.reject(new Error("no identity provider in this test"));
  exchange = await createExchange({
    db: exchangeDb,
    logger,
    registrar: { register: refuse, rotateSecret: refuse, remove: refuse, tokenEndpoint: "http://idp.test/token" },
    catalogue,
    secretKey: randomBytes(32),
    serviceToken,
    development: true,
    gatewayTrust,
    heartbeatMs: 50,
    // Building the gateway below holds the event loop (supergraph, query planner): on a loaded 2-core CI machine long
    // enough for a 500 ms staleness to lapse before the first test, and every query then answers 502. Staleness
    // itself is tested in registerSystem.test.ts.
    staleAfterMs: 3000,
  });
  exchangeHttp = await listen((req, res) => void exchange.yoga(req, res), 0);
  registry = await startRegistry(0);

  gatewayDb = await openDb({ schema: "gateway" });
  await migrate(gatewayDb, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  audit = await openAuditLog({ db: gatewayDb, outcomeDelayMs: 10 });
  buildBundle();
  holder = await watchAccessPolicy();
  const policy = createRegisterPolicy(holder);
  follower = createRegisterFollower({
    url: exchangeHttp.url,
    serviceToken,
    logger,
    onRegister: (register) => {
      policy.apply(register);
      applied.push(register.revision);
    },
  });
  await follower.ready();
  const covered: ConsentCheck = {
    stats: { hits: 0, misses: 0 },
    cached: () => ({ covered: true, consentIds: ["cns_1"], missing: [] }),
    check: async () => ({ covered: true, consentIds: ["cns_1"], missing: [] }),
    openRequest: () => Promise.reject(new Error("not expected")),
    ready: async () => undefined,
    close: () => undefined,
  };
  const supergraphSdl = readSupergraph();
  gateway = await createGateway({
    supergraphSdl,
    subgraphUrls: { registry: registry.url, exchange: `${exchangeHttp.url}/graphql` },
    assertions,
    logger,
    plugins: [
      useAccess({
        authenticator: {
          authenticate: async (header) => {
            const caller = callers[header ?? ""];
            if (caller === undefined) throw new Error("unknown test caller");
            return caller;
          },
        },
        catalogue: buildFieldCatalogue(supergraphSdl),
        policy,
        register: follower,
        consent: covered,
        audit,
        logger,
      }),
    ],
  });
});
afterAll(async () => {
  await gateway?.close();
  follower?.close();
  holder?.close();
  await audit?.flush();
  await gatewayDb?.close();
  await registry?.close();
  await exchange?.close();
  await exchangeHttp?.close();
  await exchangeDb?.close();
});

async function ask(who: string, query: string, purpose?: string) {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: who, ...(purpose === undefined ? {} : { "x-purpose": purpose }) };
  const response = await gateway.yoga.fetch("http://gateway.test/graphql", { method: "POST", headers, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[]; extensions?: unknown } };
}

const grantsOf = (register: { applications: readonly { id: string; grants: readonly { purpose: string; provider: string; field: string }[] }[] }, id: string) =>
  register.applications.find((a) => a.id === id)?.grants.map((g) => `${g.purpose}:${g.provider}:${g.field}`).sort();

describe("the gateway with the real exchange", () => {
  it("follows the exchange's seeded register: the same grants as its own development fallback", async () => {
    await expect.poll(() => follower.current(), { timeout: 5000, interval: 20 }).toBe(true);
    const response = await fetch(`${exchangeHttp.url}/v1/register`, { headers: { authorization: `Bearer ${serviceToken}` } });
    const register = (await response.json()) as Parameters<typeof grantsOf>[0];
    const fallback = seededRegister();
    for (const id of ["passport-app", "benefits-app"]) expect(grantsOf(register, id)).toEqual(grantsOf(fallback, id));
  });

  it("answers a grant's revocation once the gateway holds it: the very next query reading the field is FORBIDDEN, no subgraph called", async () => {
    const register = (await (await fetch(`${exchangeHttp.url}/v1/register`, { headers: { authorization: `Bearer ${serviceToken}` } })).json()) as {
      applications: { id: string; grants: { id: string; provider: string; field: string }[] }[];
    };
    const grant = register.applications.find((a) => a.id === "passport-app")?.grants.find((g) => g.provider === "registry" && g.field === "Person.fullName");
    expect(grant).toBeDefined();
    const name = `{ person(nic: "${nic}") { fullName } }`;
    expect((await ask("Bearer passport", name, "passport-application")).status).toBe(200);

    const revoked = await ask("Bearer admin", `mutation { revokeFieldGrant(id: "${grant?.id}", reason: "an audit") { id status } }`);
    expect(revoked.body).toEqual({ data: { revokeFieldGrant: { id: grant?.id, status: "REVOKED" } } });
    const before = registry.requests();
    const next = await ask("Bearer passport", name, "passport-application");
    expect(next.status).toBe(403);
    expect(next.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reasons: ["passport-app may not read Person.fullName from registry"] });
    expect(registry.requests()).toBe(before);
  });

  it("records an administrator's suspension with what it changed, and refuses the application on its very next query", async () => {
    const name = `{ person(nic: "${nic}") { nic } }`;
    expect((await ask("Bearer passport", name, "passport-application")).body).toEqual({ data: { person: { nic } } });

    const suspended = await ask("Bearer admin", `mutation { suspendApplication(id: "passport-app", reason: "an audit") { id status } }`);
    expect(suspended.body).toEqual({ data: { suspendApplication: { id: "passport-app", status: "SUSPENDED" } } });
    const before = registry.requests();
    const next = await ask("Bearer passport", name, "passport-application");
    expect(next.status).toBe(403);
    expect(next.body.errors?.[0]?.extensions?.["reasons"]).toEqual(["application suspended"]);
    expect(registry.requests()).toBe(before);
    expect(applied.length).toBeGreaterThanOrEqual(2);

    await audit.flush();
    const rows = await gatewayDb.query<{ id: string; consumer: string; decision: string | null; outcomes: OutcomeEntry[] | null }>(
      "SELECT id, consumer, decision, outcomes FROM audit_event ORDER BY seq",
    );
    const decided = rows.rows.findLast((r) => r.decision === "permit" && r.consumer === "exchange.admin");
    const outcome = rows.rows.flatMap((r) => r.outcomes ?? []).find((o) => o.decisionId === decided?.id);
    expect(outcome?.changes).toEqual([
      expect.objectContaining({ provider: "exchange", action: "suspendApplication", target: expect.stringContaining("passport-app") }),
    ]);
    expect(JSON.stringify(outcome?.changes?.[0]?.after)).toContain("SUSPENDED");
    expect(await verifyAuditTrail(gatewayDb)).toMatchObject({ ok: true });
  });
});
