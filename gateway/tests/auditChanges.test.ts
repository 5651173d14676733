/**
 * Administrative actions in the hash chain: a subgraph that answers a mutation with `extensions.ndxAudit` (as the
 * exchange does) over real HTTP, behind the real gateway, access plugin, policy and audit log. The changes land in the
 * outcome of that request's record, the client never sees them, and the chain verifies — with old-shaped outcomes
 * beside the new ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, migrate, openDb, readMigrations, type Db, type Listening } from "@ndx/platform";
import { readSupergraph } from "@ndx/schema";
import type { ConsentCheck } from "../src/access/consentCheck.ts";
import type { Caller } from "../src/access/consumerAuth.ts";
import { storable } from "../src/audit/auditBatch.ts";
import { readAuditChanges } from "../src/audit/auditChanges.ts";
import type { OutcomeEntry } from "../src/audit/auditEvent.ts";
import { openAuditLog, type AuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { buildFieldCatalogue, createGateway, useAccess, verifyAuditTrail, type Gateway } from "../src/index.ts";
import { assertions, logger, post, registerPolicy } from "./harness.ts";

const suspension = [
  { action: "suspendApplication", target: "application:benefits-app", before: { status: "ACTIVE" }, after: { status: "SUSPENDED", reason: "audit" } },
  { target: "not an action" },
];

let exchange: Listening;
let db: Db;
let audit: AuditLog;
let gateway: Gateway;
const caller: Caller = { kind: "staff", id: "exchange.admin", roles: ["exchange_admin"], scopes: [] };

beforeAll(async () => {
  // The exchange subgraph as the gateway sees it: it answers the mutation and reports what it changed.
  exchange = await listen((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = { data: { suspendApplication: { id: "benefits-app", status: "SUSPENDED" } }, extensions: { ndxAudit: suspension, other: 1 } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  }, 0);
  db = await openDb({ schema: "gateway" });
  await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
  audit = await openAuditLog({ db, outcomeDelayMs: 10 });
  const unused: ConsentCheck = {
    stats: { hits: 0, misses: 0 },
    cached: () => undefined,
    check: () => Promise.reject(new Error("not expected")),
    openRequest: () => Promise.reject(new Error("not expected")),
    ready: async () => undefined,
    close: () => undefined,
  };
  const supergraphSdl = readSupergraph();
  gateway = await createGateway({
    supergraphSdl,
    subgraphUrls: { exchange: `${exchange.url}/graphql` },
    assertions,
    logger,
    plugins: [
      useAccess({
        authenticator: { authenticate: async () => caller },
        catalogue: buildFieldCatalogue(supergraphSdl),
        policy: { current: await registerPolicy() },
        consent: unused,
        audit,
        logger,
      }),
    ],
  });
});
afterAll(async () => {
  await gateway?.close();
  await audit?.flush();
  await db?.close();
  await exchange?.close();
});

describe("administrative actions in the hash chain", () => {
  it("records what the exchange reports in the request's outcome, strips it from the response, and verifies", async () => {
    const answer = await post(gateway, { query: `mutation { suspendApplication(id: "benefits-app", reason: "audit") { id status } }` });
    expect(answer.body).toEqual({ data: { suspendApplication: { id: "benefits-app", status: "SUSPENDED" } } });
    expect(JSON.stringify(answer.body)).not.toContain("ndxAudit");
    await audit.flush();

    const rows = await db.query<{ id: string; caller: string; consumer: string; decision: string | null; outcomes: OutcomeEntry[] | null }>(
      "SELECT id, caller, consumer, decision, outcomes FROM audit_event ORDER BY seq",
    );
    const decided = rows.rows.find((r) => r.decision === "permit");
    expect(decided).toMatchObject({ caller: "staff", consumer: "exchange.admin" });
    const outcome = rows.rows.flatMap((r) => r.outcomes ?? []).find((o) => o.decisionId === decided?.id);
    expect(outcome).toMatchObject({ outcome: "ok", reasons: [] });
    // The malformed entry is left out (and logged); the change is recorded with the subgraph that made it.
    expect(outcome?.changes).toEqual([{ provider: "exchange", ...suspension[0] }]);
    expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
  });

  it("records no changes (and hashes outcomes as before) for a request that reports none", async () => {
    const entry: OutcomeEntry = { decisionId: "00000000-0000-4000-8000-000000000001", traceId: "t", outcome: "ok", reasons: [] };
    await audit.complete(entry);
    await audit.flush();
    const stored = await db.query<{ outcomes: OutcomeEntry[] }>("SELECT outcomes FROM audit_event WHERE outcomes @> $1::jsonb", [JSON.stringify([{ traceId: "t" }])]);
    expect(stored.rows[0]?.outcomes[0]).toEqual(entry);
    expect(Object.keys(stored.rows[0]?.outcomes[0] ?? {})).not.toContain("changes");
    expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
  });

  it("reads one change sent as an object, as the exchange sends a single change", () => {
    const one = { action: "registerMember", target: "member:DIE", before: null, after: { code: "DIE" } };
    expect(readAuditChanges("exchange", one, logger)).toEqual([{ provider: "exchange", ...one }]);
    expect(readAuditChanges("exchange", [{ action: "" }, 7, null], logger)).toEqual([]);
  });

  it("stores a change holding NUL characters (which jsonb refuses) with them replaced, keys included", () => {
    const entry: OutcomeEntry = {
      decisionId: "d",
      traceId: "t",
      outcome: "ok",
      reasons: [],
      changes: [{ provider: "exchange", action: "registerMember", target: "member:A\u0000", before: null, after: { "na\u0000me": ["x\u0000"] } }],
    };
    expect(storable(entry).changes).toEqual([{ provider: "exchange", action: "registerMember", target: "member:A\uFFFD", before: null, after: { "na\uFFFDme": ["x\uFFFD"] } }]);
    const clean: OutcomeEntry = { ...entry, changes: [{ provider: "exchange", action: "a", target: null, before: null, after: { n: 1 } }] };
    expect(storable(clean)).toBe(clean);
  });
});
