/**
 * The access plugin end to end, every part real: consent, policy and authentication decide before any subgraph is
 * called (asserted by counting the requests every subgraph and legacy system receives), and every decision is on a
 * verifiable audit trail.
 */
import { citizenAccessesAnswer } from "@ndx/contracts";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditTrail } from "../src/index.ts";
import { auditToken, startSystem, type System } from "./system.ts";

let system: System;
let passport: string;
let benefits: string;
beforeAll(async () => {
  system = await startSystem();
  passport = await system.token("passport-app");
  benefits = await system.token("benefits-app");
});
afterAll(async () => system?.close());

const nic = "199012345678";
const personQuery = `query Person($nic: String!) { person(nic: $nic) { fullName dateOfBirth permanentAddress vehicles { regNo } } }`;
const as = (token: string, purpose: string) => ({ authorization: `Bearer ${token}`, "x-purpose": purpose });

/** Runs `fn` and returns how many upstream calls it caused. */
async function upstreamDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = system.upstreamCalls();
  await fn();
  return system.upstreamCalls() - before;
}

describe("consent before fan-out", () => {
  it("asks for consent, reads all three providers once granted, and asks again after a revocation", async () => {
    let first!: Awaited<ReturnType<System["query"]>>;
    expect(await upstreamDuring(async () => (first = await system.query({ query: personQuery, variables: { nic } }, as(passport, "passport-application"))))).toBe(0);
    expect(first.status).toBe(403);
    const error = first.body["errors"][0];
    expect(error.extensions.code).toBe("CONSENT_REQUIRED");
    expect(error.extensions.consentUrl).toBe(`${system.portalUrl}/consent/${error.extensions.consentRequestId}`);
    expect(first.body["data"]).toBeUndefined();

    const request = await system.consentApi(`/v1/consent-requests/${error.extensions.consentRequestId}`);
    expect(request["dataScope"].fields).toEqual(
      expect.arrayContaining([
        { provider: "registry", field: "Person.fullName" },
        { provider: "drp", field: "Person.permanentAddress" },
        { provider: "dmt", field: "Vehicle.regNo" },
      ]),
    );
    await system.consentApi(`/v1/consent-requests/${error.extensions.consentRequestId}/grant`, { citizenId: nic, durationDays: 7 });

    const granted = await system.query({ query: personQuery, variables: { nic } }, as(passport, "passport-application"));
    expect(granted.body).toEqual({
      data: {
        person: {
          fullName: "Chikondi Emmanuel Mulenga",
          dateOfBirth: "1990-07-22",
          permanentAddress: "Plot 7, Zobwe Avenue, Ilanga",
          vehicles: [{ regNo: "FJ-1107-CE" }, { regNo: "FJ-0093-MC" }],
        },
      },
    });

    await system.consentApi(`/v1/consents/${error.extensions.consentRequestId}/revoke`, { citizenId: nic });
    let after!: Awaited<ReturnType<System["query"]>>;
    expect(await upstreamDuring(async () => (after = await system.query({ query: personQuery, variables: { nic } }, as(passport, "passport-application"))))).toBe(0);
    expect(after.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
  });

  it("asks only for what is missing when consent covers part of a query", async () => {
    const citizen = "198503150123";
    const nameOnly = await system.query({ query: `{ person(nic: "${citizen}") { fullName } }` }, as(passport, "passport-application"));
    const id = nameOnly.body["errors"][0].extensions.consentRequestId;
    await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: citizen, durationDays: 1 });
    expect((await system.query({ query: `{ person(nic: "${citizen}") { fullName } }` }, as(passport, "passport-application"))).body).toEqual({
      data: { person: { fullName: "Josephine Kalumba Phiri" } },
    });

    const more = await system.query(
      { query: `{ person(nic: "${citizen}") { fullName permanentAddress } }` },
      as(passport, "passport-application"),
    );
    const error = more.body["errors"][0];
    expect(error.extensions.code).toBe("CONSENT_REQUIRED");
    expect(error.extensions.missing).toEqual([{ provider: "drp", field: "Person.permanentAddress" }]);
    expect(error.message).toContain("Person.permanentAddress");
    expect(error.message).not.toContain("fullName");
    const opened = await system.consentApi(`/v1/consent-requests/${error.extensions.consentRequestId}`);
    expect(opened["dataScope"].fields).toEqual([{ provider: "drp", field: "Person.permanentAddress" }]);
  });
});

describe("policy before fan-out", () => {
  it.each([
    ["vehicles", `{ person(nic: "${nic}") { fullName vehicles { regNo } } }`, /benefits-app may not read Person.vehicles from dmt/],
    ["profession", `{ person(nic: "${nic}") { fullName profession } }`, /benefits-app may not read Person.profession from drp/],
  ])("forbids benefits-app %s whatever the consent", async (_name, query, reason) => {
    let response!: Awaited<ReturnType<System["query"]>>;
    expect(await upstreamDuring(async () => (response = await system.query({ query }, as(benefits, "benefit-eligibility"))))).toBe(0);
    expect(response.status).toBe(403);
    expect(response.body["errors"][0].extensions.code).toBe("FORBIDDEN");
    expect(response.body["errors"][0].extensions.reasons.join("\n")).toMatch(reason);
  });

  it("lets benefits-app read what its policy lists, once the citizen consents", async () => {
    const query = `{ person(nic: "200101010011") { fullName permanentAddress } }`;
    const asked = await system.query({ query }, as(benefits, "benefit-eligibility"));
    const id = asked.body["errors"][0].extensions.consentRequestId;
    await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: "200101010011", durationDays: 1 });
    expect((await system.query({ query }, as(benefits, "benefit-eligibility"))).body).toEqual({
      data: { person: { fullName: "Thandiwe Grace Zulu", permanentAddress: "House 22, Kasanka Street, Pili" } },
    });
  });

  it("refuses a purpose the consumer did not register, and a missing purpose", async () => {
    const wrong = await system.query({ query: `{ person(nic: "${nic}") { fullName } }` }, as(passport, "benefit-eligibility"));
    expect(wrong.body["errors"][0].extensions).toMatchObject({ code: "FORBIDDEN" });
    expect(wrong.body["errors"][0].message).toContain('purpose "benefit-eligibility" is not registered for passport-app');
    const none = await system.query({ query: `{ person(nic: "${nic}") { fullName } }` }, { authorization: `Bearer ${passport}` });
    expect(none.status).toBe(400);
    expect(none.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("refuses personal data about nobody in particular to a consumer without bulk access", async () => {
    let response!: Awaited<ReturnType<System["query"]>>;
    expect(
      await upstreamDuring(async () => (response = await system.query({ query: "{ people(first: 5) { edges { node { fullName } } } }" }, as(passport, "passport-application")))),
    ).toBe(0);
    expect(response.body["errors"][0].extensions.code).toBe("FORBIDDEN");
    expect(response.body["errors"][0].message).toMatch(/without naming the citizen/);
  });

  it("answers public data without consent", async () => {
    const response = await system.query({ query: "{ districts }" }, as(benefits, "benefit-eligibility"));
    expect(response.body["data"]["districts"]).toContain("Ibombo");
  });
});

describe("authentication before fan-out", () => {
  const forge = async (kid: string, claims: Record<string, unknown> = {}, exp: string | number = "5m") => {
    const { privateKey } = await generateKeyPair("RS256");
    return new SignJWT({ client_id: "passport-app", kind: "consumer", ...claims })
      .setProtectedHeader({ alg: "RS256", kid })
      .setIssuer(system.idp.issuer)
      .setAudience("http://localhost:4000/graphql")
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey);
  };

  it.each([
    ["no token", async () => undefined],
    ["a forged token with the provider's key id", async () => {
      const jwks = (await (await fetch(`${system.idp.url}/jwks`)).json()) as { keys: { kid: string }[] };
      return forge(jwks.keys[0]?.kid ?? "");
    }],
    ["a token with an unknown key id", async () => forge("no-such-key")],
    ["an expired token", async () => forge("no-such-key", {}, Math.floor(Date.now() / 1000) - 3600)],
    ["alg none", async () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      return `${b64({ alg: "none", typ: "JWT" })}.${b64({ iss: system.idp.issuer, aud: "http://localhost:4000/graphql", client_id: "passport-app", exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    }],
    ["a token with another audience", async () => {
      const jwks = (await (await fetch(`${system.idp.url}/jwks`)).json()) as { keys: unknown[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      const real = await system.token("passport-app");
      const [h, p, s] = real.split(".");
      const payload = JSON.parse(Buffer.from(p ?? "", "base64url").toString()) as Record<string, unknown>;
      // Changing the audience breaks the provider's signature: refused either way, never accepted.
      return `${h}.${Buffer.from(JSON.stringify({ ...payload, aud: "http://elsewhere/graphql" })).toString("base64url")}.${s}`;
    }],
  ])("refuses %s with 401 and calls nothing", async (_name, make) => {
    const token = await make();
    let response!: Awaited<ReturnType<System["query"]>>;
    const headers: Record<string, string> = { "x-purpose": "passport-application" };
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    expect(await upstreamDuring(async () => (response = await system.query({ query: personQuery, variables: { nic } }, headers)))).toBe(0);
    expect(response.status).toBe(401);
    expect(response.body["errors"][0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("uses exportJWK-compatible keys (sanity of the forging above)", async () => {
    const { publicKey } = await generateKeyPair("RS256");
    expect((await exportJWK(publicKey)).kty).toBe("RSA");
  });
});

describe("the audit trail", () => {
  it("holds one verifiable event per decision, and shows a citizen who read their data", async () => {
    const report = await verifyAuditTrail(system.gatewayDb);
    expect(report.ok).toBe(true);
    const rows = await system.gatewayDb.query<{ decision: string; n: number }>(
      "SELECT decision, count(*)::int AS n FROM audit_event WHERE kind = 'decision' GROUP BY decision ORDER BY decision",
    );
    const counts = Object.fromEntries(rows.rows.map((r) => [r.decision, r.n]));
    expect(counts["permit"]).toBeGreaterThanOrEqual(4);
    expect(counts["consent_required"]).toBeGreaterThanOrEqual(4);
    expect(counts["forbidden"]).toBeGreaterThanOrEqual(3);
    expect(counts["unauthenticated"]).toBeGreaterThanOrEqual(6);
    const revision = await system.gatewayDb.query<{ policy_revision: string }>("SELECT DISTINCT policy_revision FROM audit_event WHERE decision = 'permit'");
    // The bundle and the register revision that decided: <bundle>+r<register revision>.
    expect(revision.rows.map((r) => r.policy_revision)).toEqual([expect.stringMatching(/^[0-9a-f]{16}\+r1$/)]);

    const response = await system.gateway.yoga.fetch(`http://gateway.test/audit/citizens/${nic}/accesses`, {
      headers: { authorization: `Bearer ${auditToken}` },
    });
    const body = (await response.json()) as { accesses: { consumer: string; purpose: string; decision: string; fields: unknown[] }[] };
    expect(citizenAccessesAnswer.problem(body)).toBeUndefined();
    const permitted = body.accesses.filter((a) => a.decision === "permit");
    expect(permitted[0]).toMatchObject({ consumer: "passport-app", purpose: "passport-application" });
    expect(permitted[0]?.fields).toContainEqual({ provider: "drp", field: "Person.permanentAddress" });
    const denied = await system.gateway.yoga.fetch(`http://gateway.test/audit/citizens/${nic}/accesses`);
    expect(denied.status).toBe(401);
  });
});

describe("metrics", () => {
  /** The value of the series `name` whose labels include all of `labels`, whatever their order. */
  const value = (body: string, name: string, labels: Record<string, string> = {}): number => {
    for (const line of body.split("\n")) {
      const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
      if (match?.[1] !== name) continue;
      const set = match[2] ?? "";
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(match[3]);
    }
    return Number.NaN;
  };

  it("count decisions by outcome, consent checks, audit writes and subgraph calls at GET /metrics", async () => {
    const text = async () => (await system.gateway.yoga.fetch("http://gateway.test/metrics")).text();
    const before = await text();
    await system.query({ query: `{ person(nic: "${nic}") { fullName } }` }, { "x-purpose": "passport-application" });
    await system.query({ query: `{ districts }` }, as(passport, "passport-application"));
    const after = await text();
    const decisions = (body: string, decision: string) => value(body, "ndx_access_decisions_total", { decision });
    expect(decisions(after, "unauthenticated")).toBe(decisions(before, "unauthenticated") + 1);
    expect(decisions(after, "permit")).toBe(decisions(before, "permit") + 1);
    expect(value(after, "ndx_upstream_calls_total", { provider: "registry", outcome: "ok" })).toBeGreaterThan(0);
    expect(value(after, "ndx_consent_checks_total", { source: "engine" })).toBeGreaterThan(0);
    expect(value(after, "ndx_audit_write_seconds_count")).toBeGreaterThan(0);
    expect(value(after, "ndx_graphql_request_duration_seconds_count", { operation: "anonymous", status: "200" })).toBeGreaterThan(0);
  });
});

describe("more than one gateway", () => {
  it("a revocation reaches every replica before its next query, and each replica's audit chain verifies", async () => {
    const second = await system.replica("replica-b");
    const citizen = "197712240099";
    const query = { query: `{ person(nic: "${citizen}") { fullName } }` };
    const asked = await system.query(query, as(passport, "passport-application"));
    const id = asked.body["errors"][0].extensions.consentRequestId;
    await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: citizen, durationDays: 1 });
    // Both replicas answer, and cache the "yes".
    for (const via of [system.gateway, second, system.gateway, second]) {
      expect((await system.query(query, as(passport, "passport-application"), via)).body).toEqual({
        data: { person: { fullName: "Samuel Bwalya Tembo" } },
      });
    }
    await system.consentApi(`/v1/consents/${id}/revoke`, { citizenId: citizen });
    for (const via of [second, system.gateway]) {
      let response!: Awaited<ReturnType<System["query"]>>;
      expect(await upstreamDuring(async () => (response = await system.query(query, as(passport, "passport-application"), via)))).toBe(0);
      expect(response.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
    }
    const report = await verifyAuditTrail(system.gatewayDb);
    expect(report.ok).toBe(true);
    expect(Object.keys(report.chains).sort()).toEqual(["main", "replica-b"]);
  });
});
