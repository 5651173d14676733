/**
 * The access plugin's order of work, in-process: the real policy bundle and the real supergraph's field catalogue,
 * with the network parts (token verification, the consent engine, the audit store) replaced by counting fakes.
 * What it pins down: the policy is evaluated once when every consent answer is already cached, twice otherwise
 * (first without consent, so no consent is asked for what the policy denies); the admit hook turns a caller away
 * before anything else; nothing executes after a refusal.
 */
import type { AccessInput, AccessPolicy, FieldAccess } from "@ndx/policy";
import { readSupergraph } from "@ndx/schema";
import { GraphQLError } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConsentAnswer, ConsentCheck } from "../src/access/consentCheck.ts";
import type { Caller } from "../src/access/consumerAuth.ts";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { useAccess, type AccessOptions } from "../src/access/useAccess.ts";
import type { AuditLog } from "../src/audit/auditLog.ts";
import { logger, registerPolicy } from "./harness.ts";

const nic = "199012345678";
const catalogue = buildFieldCatalogue(readSupergraph());
let policy: AccessPolicy;
beforeAll(async () => {
  policy = await registerPolicy();
});

interface Counts {
  evaluations: AccessInput[];
  consentCalls: number;
  audited: string[];
  executed: number;
}
let counts: Counts;
beforeEach(() => {
  counts = { evaluations: [], consentCalls: 0, audited: [], executed: 0 };
});

const covered: ConsentAnswer = { covered: true, consentIds: ["c-1"], missing: [] };

function fakeConsent(cachedAnswer: ConsentAnswer | undefined): ConsentCheck {
  return {
    stats: { hits: 0, misses: 0 },
    cached: () => cachedAnswer,
    async check(_consumer: string, _nic: string, _purpose: string, _fields: readonly FieldAccess[]) {
      counts.consentCalls += 1;
      return covered;
    },
    async openRequest() {
      throw new Error("not expected");
    },
    ready: async () => undefined,
    close: () => undefined,
  };
}

const audit: AuditLog = {
  async append(content) {
    counts.audited.push(String(content.decision));
    const seq = counts.audited.length;
    return { ...content, id: content.id ?? `e${seq}`, at: content.at ?? new Date().toISOString(), chain: "t", seq, prevHash: "", hash: "" };
  },
  async complete(entry) {
    counts.audited.push(`outcome:${entry.outcome}`);
    const seq = counts.audited.length;
    const content = { kind: "outcome" as const, traceId: "", caller: null, consumer: null, purpose: null, operationName: null, subjects: [], fields: [], consentIds: [], policyRevision: null, decision: null, reasons: [], decisionId: null, outcome: null, outcomes: [entry] };
    return { ...content, id: `e${seq}`, at: new Date().toISOString(), chain: "t", seq, prevHash: "", hash: "" };
  },
  healthy: true,
  health: () => ({ healthy: true, backlog: 0, failingForMs: 0 }),
  flush: async () => undefined,
};

function gatewayWith(consumer: string, consent: ConsentCheck, extra: Partial<AccessOptions> = {}) {
  const caller: Caller = { kind: "consumer", id: consumer, roles: [], scopes: [] };
  const counting: AccessPolicy = {
    revision: policy.revision,
    evaluate: (input) => (counts.evaluations.push(input), policy.evaluate(input)),
    purposes: policy.purposes,
    memo: policy.memo,
  };
  const person = () => {
    counts.executed += 1;
    return { fullName: "Someone", permanentAddress: "Somewhere", vehicles: [] };
  };
  return createYoga({
    schema: createSchema({
      typeDefs: `type Query { person(nic: String!): Person } type Person { fullName: String permanentAddress: String vehicles: [Vehicle!] } type Vehicle { regNo: String }`,
      resolvers: { Query: { person } },
    }),
    plugins: [
      useAccess({
        authenticator: { authenticate: async () => caller },
        catalogue,
        policy: { current: counting },
        consent,
        audit,
        logger,
        ...extra,
      }),
    ],
    maskedErrors: false,
  });
}

async function ask(yoga: ReturnType<typeof gatewayWith>, fields: string, purpose: string) {
  const response = await yoga.fetch("http://gw.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer t", "x-purpose": purpose },
    body: JSON.stringify({ query: `{ person(nic: "${nic}") { ${fields} } }` }),
  });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

describe("one policy evaluation when the consent answers are cached", () => {
  it("permits with a single evaluation and asks the consent engine nothing", async () => {
    const body = await ask(gatewayWith("passport-app", fakeConsent(covered)), "fullName permanentAddress", "passport-application");
    expect(body.errors).toBeUndefined();
    expect(counts.evaluations).toHaveLength(1);
    expect(counts.evaluations[0]?.consent).toEqual({ covered: true, consentIds: ["c-1"] });
    expect(counts.consentCalls).toBe(0);
    expect(counts.audited).toEqual(["permit", "outcome:ok"]);
    expect(counts.executed).toBe(1);
  });

  it("still refuses what the policy denies, with its reasons, and executes nothing", async () => {
    const body = await ask(gatewayWith("benefits-app", fakeConsent(covered)), "fullName vehicles { regNo }", "benefit-eligibility");
    expect(body.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");
    expect(String(body.errors?.[0]?.extensions["reasons"])).toMatch(/benefits-app may not read Person.vehicles from dmt/);
    expect(counts.evaluations).toHaveLength(1);
    expect(counts.consentCalls).toBe(0);
    expect(counts.executed).toBe(0);
    expect(counts.audited).toEqual(["forbidden"]);
  });
});

describe("without cached answers", () => {
  it("asks the policy first and the consent engine only for what the policy allows", async () => {
    const denied = await ask(gatewayWith("benefits-app", fakeConsent(undefined)), "fullName vehicles { regNo }", "benefit-eligibility");
    expect(denied.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");
    expect(counts.evaluations.map((i) => i.consent?.covered)).toEqual([false]);
    expect(counts.consentCalls).toBe(0);

    counts = { evaluations: [], consentCalls: 0, audited: [], executed: 0 };
    const allowed = await ask(gatewayWith("passport-app", fakeConsent(undefined)), "fullName permanentAddress", "passport-application");
    expect(allowed.errors).toBeUndefined();
    expect(counts.evaluations.map((i) => i.consent?.covered)).toEqual([false, true]);
    expect(counts.consentCalls).toBe(1);
    expect(counts.executed).toBe(1);
  });
});

describe("the admit hook", () => {
  it("turns a known caller away before scope, consent, policy and audit", async () => {
    const seen: string[] = [];
    const refusal = new GraphQLError("slow down", { extensions: { code: "FORBIDDEN", http: { status: 429 } } });
    const yoga = gatewayWith("passport-app", fakeConsent(covered), {
      admit: (caller) => (seen.push(caller.id), refusal),
    });
    const body = await ask(yoga, "fullName", "passport-application");
    expect(body.errors?.[0]?.message).toBe("slow down");
    expect(seen).toEqual(["passport-app"]);
    expect(counts).toEqual({ evaluations: [], consentCalls: 0, audited: [], executed: 0 });
  });
});

describe("an audit trail that cannot be written", () => {
  it("stops personal data before execution with EVIDENCE_UNAVAILABLE, recorded as unavailable", async () => {
    const failing: AuditLog = { ...audit, healthy: false, health: () => ({ healthy: false, backlog: 12, failingForMs: 6000, reason: "writes failing" }) };
    const yoga = gatewayWith("passport-app", fakeConsent(covered), { audit: failing });
    const response = await yoga.fetch("http://gw.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer t", "x-purpose": "passport-application" },
      body: JSON.stringify({ query: `{ person(nic: "${nic}") { fullName } }` }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(503);
    expect(body.errors?.[0]?.extensions["code"]).toBe("EVIDENCE_UNAVAILABLE");
    expect(body.data).toBeUndefined();
    expect(counts.executed).toBe(0);
    expect(counts.audited).toEqual(["unavailable"]);
  });

  it("answers at once while a write hangs (the record stays queued), instead of holding the request", async () => {
    const hanging: AuditLog = {
      ...audit,
      healthy: false,
      health: () => ({ healthy: false, backlog: 1, failingForMs: 6000, reason: "a write has hung" }),
      append: (content) => (counts.audited.push(String(content.decision)), new Promise(() => undefined)),
    };
    const yoga = gatewayWith("passport-app", fakeConsent(covered), { audit: hanging });
    const answered = await Promise.race([
      yoga.fetch("http://gw.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t", "x-purpose": "passport-application" },
        body: JSON.stringify({ query: `{ person(nic: "${nic}") { fullName } }` }),
      }),
      new Promise<"held">((resolve) => setTimeout(() => resolve("held"), 5000)),
    ]);
    expect(answered).not.toBe("held");
    expect((answered as Response).status).toBe(503);
    expect(counts.audited).toEqual(["unavailable"]);
    expect(counts.executed).toBe(0);
  });
});
