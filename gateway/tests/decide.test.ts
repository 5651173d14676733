/**
 * The access decision on its own, without a server: the real policy bundle and the real supergraph's catalogue, with
 * the network parts (token verification, the consent engine) replaced by fakes that say what they were asked. Each
 * case pins what is decided and what the audit record says.
 */
import type { AccessPolicy, FieldAccess } from "@ndx/policy";
import { ndxError } from "@ndx/platform";
import { readSupergraph } from "@ndx/schema";
import { getOperationAST, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConsentAnswer, ConsentCheck } from "../src/access/consentCheck.ts";
import type { Caller } from "../src/access/consumerAuth.ts";
import { createDecide, type AccessDecision, type DecideOptions } from "../src/access/decide.ts";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { registerPolicy } from "./harness.ts";

const nic = "199012345678";
const catalogue = buildFieldCatalogue(readSupergraph());
let policy: AccessPolicy;
beforeAll(async () => {
  policy = await registerPolicy();
});

const passport: Caller = { kind: "consumer", id: "passport-app", roles: [], scopes: [] };
const covered: ConsentAnswer = { covered: true, consentIds: ["cns_1"], missing: [] };

interface Asked {
  checks: { citizen: string; fields: string[] }[];
  opened: { citizen: string; fields: string[] }[];
}

function consentThat(answer: (fields: readonly FieldAccess[]) => ConsentAnswer | Error, asked: Asked, cached?: ConsentAnswer): ConsentCheck {
  return {
    stats: { hits: 0, misses: 0 },
    cached: () => cached,
    async check(_consumer, citizen, _purpose, fields) {
      asked.checks.push({ citizen, fields: fields.map((f) => f.field) });
      const a = answer(fields);
      if (a instanceof Error) throw a;
      return a;
    },
    async openRequest(_consumer, citizen, _purpose, fields) {
      asked.opened.push({ citizen, fields: fields.map((f) => f.field) });
      return { consentRequestId: "cns_new", consentUrl: "http://portal.test/consent/cns_new", missing: fields.map((f) => ({ provider: f.provider, field: f.field })) };
    },
    ready: async () => undefined,
    close: () => undefined,
  };
}

function decider(overrides: Partial<DecideOptions> & { asked?: Asked } = {}) {
  const asked = overrides.asked ?? { checks: [], opened: [] };
  return createDecide({
    authenticator: { authenticate: async () => passport },
    catalogue,
    policy: { current: policy },
    consent: consentThat(() => covered, asked),
    evidence: { healthy: true },
    ...overrides,
  });
}

function request(query: string, headers: Record<string, string> = { authorization: "Bearer t", "x-purpose": "passport-application" }) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error("no operation");
  return { document, operation, variables: {}, traceId: "trace-1", request: new Request("http://gw.test/graphql", { headers }) };
}

const recordOf = (d: AccessDecision) => (d.kind === "refused" || d.kind === "permitted" ? d.record : undefined);
const codesOf = (d: AccessDecision) => (d.kind === "refused" ? d.errors.map((e) => e.extensions["code"]) : []);

describe("the access decision", () => {
  it("permits a consented read, with a record naming who, about whom, what, why and under which consent", async () => {
    const d = await decider()(request(`query P { person(nic: "${nic}") { fullName vehicles { regNo } } }`));
    expect(d.kind).toBe("permitted");
    expect(recordOf(d)).toMatchObject({
      kind: "decision",
      decision: "permit",
      traceId: "trace-1",
      operationName: "P",
      caller: "consumer",
      consumer: "passport-app",
      purpose: "passport-application",
      subjects: [nic],
      consentIds: ["cns_1"],
      policyRevision: policy.revision,
    });
    expect(recordOf(d)?.fields.map((f) => `${f.provider}:${f.field}`).sort()).toEqual(["dmt:Person.vehicles", "dmt:Vehicle.regNo", "registry:Person.fullName"]);
  });

  it("opens a consent request for exactly what is missing, per citizen", async () => {
    const asked: Asked = { checks: [], opened: [] };
    const missingAddress = (fields: readonly FieldAccess[]): ConsentAnswer => ({
      covered: false,
      consentIds: [],
      missing: fields.filter((f) => f.field === "Person.permanentAddress").map((f) => ({ provider: f.provider, field: f.field })),
    });
    const d = await decider({ asked, consent: consentThat(missingAddress, asked) })(request(`{ person(nic: "${nic}") { fullName permanentAddress } }`));
    expect(codesOf(d)).toEqual(["CONSENT_REQUIRED"]);
    expect(recordOf(d)?.decision).toBe("consent_required");
    expect(asked.opened).toEqual([{ citizen: nic, fields: ["Person.permanentAddress"] }]);
  });

  it("asks the policy before the consent engine, and nothing of the engine for what the policy denies", async () => {
    const asked: Asked = { checks: [], opened: [] };
    const benefits: Caller = { ...passport, id: "benefits-app" };
    const d = await decider({ asked, consent: consentThat(() => covered, asked), authenticator: { authenticate: async () => benefits } })(
      request(`{ person(nic: "${nic}") { vehicles { regNo } } }`, { authorization: "Bearer t", "x-purpose": "benefit-eligibility" }),
    );
    expect(codesOf(d)).toEqual(["FORBIDDEN"]);
    expect(recordOf(d)?.reasons.join()).toMatch(/benefits-app may not read Person.vehicles from dmt/);
    expect(asked.checks).toEqual([]);
  });

  it("records an outage of the consent engine as unavailable", async () => {
    const asked: Asked = { checks: [], opened: [] };
    const down = () => ndxError("UPSTREAM_UNAVAILABLE", "The consent engine cannot be reached", { details: { provider: "consent-engine" } });
    const d = await decider({ asked, consent: consentThat(down, asked) })(request(`{ person(nic: "${nic}") { fullName } }`));
    expect(codesOf(d)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(recordOf(d)?.decision).toBe("unavailable");
  });

  it("refuses personal data with EVIDENCE_UNAVAILABLE while the trail cannot take the record, but not public data", async () => {
    const failing = decider({ evidence: { healthy: false } });
    const personal = await failing(request(`{ person(nic: "${nic}") { fullName } }`));
    expect(codesOf(personal)).toEqual(["EVIDENCE_UNAVAILABLE"]);
    expect(recordOf(personal)?.decision).toBe("unavailable");
    expect((await failing(request(`{ districts }`))).kind).toBe("permitted");
  });

  it("keeps nothing of a purpose header that is not a registered code", async () => {
    const d = await decider()(request(`{ person(nic: "${nic}") { fullName } }`, { authorization: "Bearer t", "x-purpose": "Call me at 0999" }));
    expect(codesOf(d)).toEqual(["BAD_USER_INPUT"]);
    expect(recordOf(d)).toMatchObject({ decision: "bad_request", purpose: null });
    expect(JSON.stringify(recordOf(d))).not.toContain("0999");
  });

  it("records an unauthenticated request with nobody as the caller", async () => {
    const d = await decider({
      authenticator: {
        authenticate: async () => {
          throw ndxError("UNAUTHENTICATED", "A bearer token is required");
        },
      },
    })(request(`{ person(nic: "${nic}") { fullName } }`));
    expect(codesOf(d)).toEqual(["UNAUTHENTICATED"]);
    expect(recordOf(d)).toMatchObject({ decision: "unauthenticated", consumer: null, subjects: [], fields: [] });
  });

  it("turns a caller away at admission without a record, before anything else is asked", async () => {
    const asked: Asked = { checks: [], opened: [] };
    const slowDown = ndxError("RATE_LIMITED", "slow down");
    const d = await decider({ asked, consent: consentThat(() => covered, asked), admit: () => slowDown })(request(`{ person(nic: "${nic}") { fullName } }`));
    expect(d).toEqual({ kind: "turned_away", caller: passport, error: slowDown });
    expect(asked.checks).toEqual([]);
  });

  it("lets introspection pass, and without a token only where anonymous introspection is on", async () => {
    const anonymous = decider({
      anonymousIntrospection: true,
      authenticator: {
        authenticate: async () => {
          throw ndxError("UNAUTHENTICATED", "A bearer token is required");
        },
      },
    });
    expect((await anonymous(request(`{ __schema { queryType { name } } }`, {}))).kind).toBe("pass");
    expect((await decider()(request(`{ __schema { queryType { name } } }`))).kind).toBe("pass");
  });
});
