/**
 * The access decision with the exchange's register as the policy's data, through the real policy bundle and the real
 * supergraph's catalogue: a grant stops counting at its end date with no event, a suspended application is told so,
 * purposes are the register's, exchange staff are decided by their roles, and consumers are refused while the
 * register is not known current (staff are not).
 */
import type { ExchangeRegister, RegisterApplication } from "@ndx/contracts";
import { buildBundle, instantiatePolicy, loadPolicyBundle, type PolicyData, type PolicyHolder } from "@ndx/policy";
import { readSupergraph } from "@ndx/schema";
import { getOperationAST, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConsentCheck } from "../src/access/consentCheck.ts";
import type { Caller } from "../src/access/consumerAuth.ts";
import { createDecide, type AccessDecision, type DecideOptions } from "../src/access/decide.ts";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { createRegisterPolicy, type RegisterPolicy } from "../src/access/registerPolicy.ts";
import { seededRegister } from "./harness.ts";

const nic = "199012345678";
const catalogue = buildFieldCatalogue(readSupergraph());
beforeAll(() => void buildBundle());

/** The real bundle, its data set as the gateway sets it, on a clock the test moves (epoch ms). */
function policyOver(register: ExchangeRegister, clock: { ms: number }): RegisterPolicy {
  const bundle = loadPolicyBundle();
  let current = instantiatePolicy(bundle);
  const holder: PolicyHolder = {
    get current() {
      return current;
    },
    setData: (data: PolicyData) => void (current = instantiatePolicy(bundle, { data })),
    close: () => undefined,
  };
  const policy = createRegisterPolicy(holder, () => clock.ms);
  policy.apply(register);
  return policy;
}

let consentChecks = 0;
const consent: ConsentCheck = {
  stats: { hits: 0, misses: 0 },
  cached: () => undefined,
  check: async () => (consentChecks++, { covered: true, consentIds: ["cns_1"], missing: [] }),
  openRequest: async () => Promise.reject(new Error("not expected")),
  ready: async () => undefined,
  close: () => undefined,
};

const consumer = (id: string): Caller => ({ kind: "consumer", id, roles: [], scopes: [] });
const staff = (...roles: string[]): Caller => ({ kind: "staff", id: "someone", roles, scopes: [] });

function decide(caller: Caller, policy: RegisterPolicy, query: string, purpose?: string, extra: Partial<DecideOptions> = {}): Promise<AccessDecision> {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error("no operation");
  const headers: Record<string, string> = { authorization: "Bearer t", ...(purpose === undefined ? {} : { "x-purpose": purpose }) };
  return createDecide({ authenticator: { authenticate: async () => caller }, catalogue, policy, consent, evidence: { healthy: true }, ...extra })({
    document,
    operation,
    variables: {},
    traceId: "trace-1",
    request: new Request("http://gw.test/graphql", { headers }),
  });
}

const refusal = (d: AccessDecision) =>
  d.kind === "refused" ? { codes: d.errors.map((e) => e.extensions["code"]), status: d.errors[0]?.extensions["http"], record: d.record } : undefined;
const withApp = (register: ExchangeRegister, id: string, change: (a: RegisterApplication) => RegisterApplication): ExchangeRegister => ({
  ...register,
  applications: register.applications.map((a) => (a.id === id ? change(a) : a)),
});
const vehicles = `{ person(nic: "${nic}") { vehicles { regNo } } }`;

describe("grants from the register", () => {
  it("drops a grant at its end date on the very next request, without any event, and names the revision in the record", async () => {
    const clock = { ms: Date.parse("2026-12-06T10:00:00Z") };
    const ends = "2026-12-06T10:00:05.000Z";
    const register = withApp(seededRegister(5), "passport-app", (a) => ({
      ...a,
      grants: a.grants.map((g) => (g.provider === "dmt" ? { ...g, endsAt: ends } : g)),
    }));
    const policy = policyOver(register, clock);
    const before = await decide(consumer("passport-app"), policy, vehicles, "passport-application");
    expect(before.kind).toBe("permitted");
    clock.ms = Date.parse(ends);
    consentChecks = 0;
    const after = await decide(consumer("passport-app"), policy, vehicles, "passport-application");
    expect(refusal(after)?.codes).toEqual(["FORBIDDEN"]);
    expect(refusal(after)?.record.reasons).toContain("passport-app may not read Person.vehicles from dmt");
    expect(refusal(after)?.record.policyRevision).toMatch(/^[0-9a-f]{16}\+r5$/);
    // Denied by the policy first: the consent engine is not even asked.
    expect(consentChecks).toBe(0);
    // Other grants still count.
    expect((await decide(consumer("passport-app"), policy, `{ person(nic: "${nic}") { fullName } }`, "passport-application")).kind).toBe("permitted");
  });

  it("tells a suspended application only that, with 403 FORBIDDEN", async () => {
    const policy = policyOver(withApp(seededRegister(), "benefits-app", (a) => ({ ...a, status: "SUSPENDED" })), { ms: Date.now() });
    const d = refusal(await decide(consumer("benefits-app"), policy, vehicles, "benefit-eligibility"));
    expect(d?.codes).toEqual(["FORBIDDEN"]);
    expect(d?.status).toEqual({ status: 403 });
    expect(d?.record).toMatchObject({ decision: "forbidden", reasons: ["application suspended"] });
    expect((await decide(consumer("passport-app"), policy, vehicles, "passport-application")).kind).toBe("permitted");
  });

  it("takes the purposes a request may declare from the register", async () => {
    const purpose = { code: "fraud-check", text: "To check a claim", legalBasis: "Act 1", maxConsentDays: 7, maxGrantDays: 30 };
    const clock = { ms: Date.now() };
    const policy = policyOver(seededRegister(1), clock);
    const unknown = refusal(await decide(consumer("benefits-app"), policy, `{ person(nic: "${nic}") { fullName } }`, "fraud-check"));
    expect(unknown?.codes).toEqual(["BAD_USER_INPUT"]);
    policy.apply(withApp(seededRegister(2), "benefits-app", (a) => ({ ...a, purposes: [...a.purposes, purpose], grants: [...a.grants, { id: "g-new", purpose: "fraud-check", provider: "registry", field: "Person.fullName", endsAt: "2999-01-01T00:00:00.000Z" }] })));
    expect((await decide(consumer("benefits-app"), policy, `{ person(nic: "${nic}") { fullName } }`, "fraud-check")).kind).toBe("permitted");
  });
});

describe("exchange staff, by role, through the real policy", () => {
  const policy = () => policyOver(seededRegister(), { ms: Date.now() });

  it("lets each exchange role read the exchange's types, and a registrar not", async () => {
    for (const role of ["exchange_admin", "member_admin", "provider_data_owner"]) {
      expect((await decide(staff(role), policy(), `{ members { code name } applications { id status } }`)).kind).toBe("permitted");
    }
    const registrar = refusal(await decide(staff("registrar"), policy(), `{ members { code } }`));
    expect(registrar?.codes).toEqual(["FORBIDDEN"]);
    expect(registrar?.record.reasons).toEqual(["Member.code is for exchange staff (exchange_admin, member_admin, provider_data_owner)"]);
  });

  it("lets each role call its own mutations only", async () => {
    const suspend = `mutation { suspendApplication(id: "benefits-app", reason: "audit") { id status } }`;
    expect((await decide(staff("exchange_admin"), policy(), suspend)).kind).toBe("permitted");
    const memberAdmin = refusal(await decide(staff("member_admin"), policy(), suspend));
    expect(memberAdmin?.record.reasons).toEqual(["suspendApplication needs one of the roles exchange_admin"]);
    const review = `mutation { reviewGrantRequest(id: "r1", provider: "dmt", approve: true) { id } }`;
    expect((await decide(staff("provider_data_owner"), policy(), review)).kind).toBe("permitted");
    expect(refusal(await decide(staff("exchange_admin"), policy(), review))?.codes).toEqual(["FORBIDDEN"]);
    const revoke = `mutation { revokeFieldGrant(id: "g1", reason: "ended") { id } }`;
    for (const role of ["exchange_admin", "provider_data_owner"]) expect((await decide(staff(role), policy(), revoke)).kind).toBe("permitted");
    expect(refusal(await decide(consumer("passport-app"), policy(), revoke))?.record.reasons).toContain("only signed-in staff may write to a register");
  });
});

describe("a register that is not known current", () => {
  const stale = { register: { current: () => false } };

  it("refuses consumers with 503 UPSTREAM_UNAVAILABLE, recorded as unavailable, before consent or policy", async () => {
    consentChecks = 0;
    const d = refusal(await decide(consumer("passport-app"), policyOver(seededRegister(), { ms: Date.now() }), vehicles, "passport-application", stale));
    expect(d?.codes).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(d?.status).toEqual({ status: 502 });
    expect(d?.record).toMatchObject({ decision: "unavailable", reasons: ["the exchange's register cannot be reached"] });
    expect(consentChecks).toBe(0);
  });

  it("still decides staff by their roles, so that the exchange can be reached to repair it", async () => {
    const policy = policyOver(seededRegister(), { ms: Date.now() });
    expect((await decide(staff("exchange_admin"), policy, `{ members { code } }`, undefined, stale)).kind).toBe("permitted");
    expect((await decide(staff("registrar"), policy, `{ person(nic: "${nic}") { fullName } }`, undefined, stale)).kind).toBe("permitted");
  });
});
