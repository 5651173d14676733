/**
 * What an attacker probing the gateway would try against citizens' privacy, every part real: whether a person exists
 * is itself personal data, key fields are read from the entity's owner, the purpose header is a registered code and
 * nothing else ever reaches the trail or the citizen, and an outage is never recorded as a refusal by the rules.
 */
import { citizenAccessesAnswer } from "@ndx/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditToken, startSystem, type System } from "./system.ts";

let system: System;
let passport: string;
beforeAll(async () => {
  system = await startSystem();
  passport = await system.token("passport-app");
});
afterAll(async () => system?.close());

const known = "199012345678";
const unknown = "100000000001";
const as = (purpose?: string) => ({ authorization: `Bearer ${passport}`, ...(purpose === undefined ? {} : { "x-purpose": purpose }) });

async function upstreamDuring<T>(fn: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const before = system.upstreamCalls();
  const result = await fn();
  return { calls: system.upstreamCalls() - before, result };
}

interface Access {
  readonly consumer: string;
  readonly purpose: string | null;
  readonly decision: string;
  readonly fields: { provider: string; field: string }[];
}

async function accessesAbout(nic: string): Promise<Access[]> {
  const response = await system.gateway.yoga.fetch(`http://gateway.test/audit/citizens/${nic}/accesses`, {
    headers: { authorization: `Bearer ${auditToken}` },
  });
  const body: unknown = await response.json();
  expect(citizenAccessesAnswer.problem(body)).toBeUndefined();
  return (body as { accesses: Access[] }).accesses;
}

describe("no existence oracle", () => {
  const probe = `{ p0: person(nic: "${known}") { __typename } p1: person(nic: "${unknown}") { __typename } }`;

  it("asks for the purpose of a query that only names citizens, and reads nothing", async () => {
    const { calls, result } = await upstreamDuring(() => system.query({ query: probe }, as()));
    expect(calls).toBe(0);
    expect(result.status).toBe(400);
    expect(result.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
    expect(result.body["data"]).toBeUndefined();
  });

  it("needs consent to learn whether a registered and an unknown NIC exist, alike, and each citizen sees the attempt", async () => {
    const { calls, result } = await upstreamDuring(() => system.query({ query: probe }, as("passport-application")));
    expect(calls).toBe(0);
    expect(result.status).toBe(403);
    const errors = result.body["errors"] as { extensions: { code: string; citizenId: string; missing: unknown[] } }[];
    expect(errors.map((e) => e.extensions.code)).toEqual(["CONSENT_REQUIRED", "CONSENT_REQUIRED"]);
    expect(errors.map((e) => e.extensions.citizenId).sort()).toEqual([unknown, known]);
    for (const e of errors) expect(e.extensions.missing).toEqual([{ provider: "registry", field: "Person.nic" }]);
    for (const nic of [known, unknown]) {
      expect(await accessesAbout(nic)).toContainEqual(
        expect.objectContaining({ consumer: "passport-app", decision: "consent_required", fields: [{ provider: "registry", field: "Person.nic" }] }),
      );
    }
  });
});

describe("key fields", () => {
  it("reads the NIC from the registry, which owns Person, once the citizen consents to it", async () => {
    const citizen = "198503150123";
    const query = { query: `{ person(nic: "${citizen}") { nic fullName } }` };
    const asked = await system.query(query, as("passport-application"));
    expect(asked.body["errors"][0].extensions.missing).toEqual(
      expect.arrayContaining([
        { provider: "registry", field: "Person.nic" },
        { provider: "registry", field: "Person.fullName" },
      ]),
    );
    await system.consentApi(`/v1/consent-requests/${asked.body["errors"][0].extensions.consentRequestId}/grant`, {
      citizenId: citizen,
      durationDays: 1,
    });
    const answered = await system.query(query, as("passport-application"));
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ data: { person: { nic: citizen, fullName: "Josephine Kalumba Phiri" } } });
  });
});

describe("the purpose header", () => {
  const query = { query: `{ person(nic: "${known}") { fullName } }` };

  it.each([
    ["12 KB of free text", `URGENT, call 0999 123 456 ${"now ".repeat(3000)}`],
    ["a sentence", "To process your passport application"],
    ["a code nobody registered", "marketing"],
    ["a code with markup", "<script>alert(1)</script>"],
  ])("refuses %s with 400 before anything is read, and keeps none of it", async (_name, purpose) => {
    const { calls, result } = await upstreamDuring(() => system.query(query, as(purpose)));
    expect(calls).toBe(0);
    expect(result.status).toBe(400);
    expect(result.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
    expect(result.body["errors"][0].message).toMatch(/registered purpose code/);
    expect(JSON.stringify(result.body)).not.toContain(purpose.slice(0, 20));
    const stored = await system.gatewayDb.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE purpose = $1 OR reasons::text LIKE $2",
      [purpose, `%${purpose.slice(0, 20)}%`],
    );
    expect(stored.rows[0]?.n).toBe(0);
  });

  it("records and shows a registered purpose code", async () => {
    await system.query(query, as("passport-application"));
    const mine = await accessesAbout(known);
    expect(mine.map((a) => a.purpose)).toContain("passport-application");
    expect(mine.every((a) => a.purpose === null || a.purpose === "passport-application")).toBe(true);
  });
});

describe("an outage", () => {
  it("is recorded as unavailable, not as a refusal by the rules", async () => {
    const citizen = "197712240099";
    const restore = system.consentOutage();
    let response: Awaited<ReturnType<System["query"]>>;
    try {
      response = await system.query({ query: `{ person(nic: "${citizen}") { fullName } }` }, as("passport-application"));
    } finally {
      restore();
    }
    expect(response.body["errors"][0].extensions.code).toBe("UPSTREAM_UNAVAILABLE");
    const rows = await system.gatewayDb.query<{ decision: string }>(
      "SELECT decision FROM audit_event WHERE kind = 'decision' AND $1 = ANY(subjects) ORDER BY at DESC LIMIT 1",
      [citizen],
    );
    expect(rows.rows[0]?.decision).toBe("unavailable");
  });
});
