import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends } from "@ndx/platform/testing";
import {
  admin,
  admin2,
  codes,
  dmtOwner,
  drpOwner,
  immigration,
  inDays,
  rgdOwner,
  startTestExchange,
  welfare,
  written,
  type TestExchange,
} from "./harness.ts";

const requestFields = `id status purpose justification endsAt requestedBy decidedBy comment application { id }
  parts { provider status reviewedBy comment fields { provider coordinate dataClass } }`;
const requestGrant = `mutation($input: RequestFieldGrantInput!) { requestFieldGrant(input: $input) { ${requestFields} } }`;
const review = `mutation($id: ID!, $provider: String!, $approve: Boolean!, $comment: String) {
  reviewGrantRequest(id: $id, provider: $provider, approve: $approve, comment: $comment) { ${requestFields} } }`;
const decide = `mutation($id: ID!, $approve: Boolean!, $comment: String) { decideGrantRequest(id: $id, approve: $approve, comment: $comment) { ${requestFields} } }`;
const withdraw = `mutation($id: ID!) { withdrawGrantRequest(id: $id) { id status } }`;
const revoke = `mutation($id: ID!, $reason: String!) { revokeFieldGrant(id: $id, reason: $reason) { id status revokedBy revokeReason endsAt } }`;

interface RequestJson {
  id: string;
  status: string;
  parts: { provider: string; status: string; fields: { coordinate: string; dataClass: string }[] }[];
}

const vehiclesAndName = [
  { provider: "drp", coordinate: "Person.profession" },
  { provider: "dmt", coordinate: "Person.vehicles" },
  { provider: "dmt", coordinate: "Vehicle.regNo" },
];

for (const backend of testBackends()) {
  describe(`field grants on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    const ask = async (fields = vehiclesAndName, caller = welfare, extra: Record<string, unknown> = {}) => {
      const body = await t.gql(caller, requestGrant, {
        input: { application: "benefits-app", purpose: "benefit-eligibility", fields, justification: "Means test needs vehicles", endsAt: inDays(90), ...extra },
      });
      return { body, request: body.data?.["requestFieldGrant"] as RequestJson | undefined };
    };

    it("runs the two-stage review: each provider its part, then the exchange, and approval makes the grants live", async () => {
      const { body, request } = await ask();
      expect(body.errors).toBeUndefined();
      expect(request).toMatchObject({ status: "PROVIDER_REVIEW", requestedBy: "welfare.admin", application: { id: "benefits-app" } });
      expect(request?.parts.map((p) => [p.provider, p.status, p.fields.map((f) => f.coordinate)])).toEqual([
        ["dmt", "PENDING", ["Person.vehicles", "Vehicle.regNo"]],
        ["drp", "PENDING", ["Person.profession"]],
      ]);
      const id = request?.id ?? "";
      // The data owners see it; the exchange cannot approve it yet.
      expect((await t.gql(drpOwner, `{ grantRequests(status: PROVIDER_REVIEW) { id } }`)).data?.["grantRequests"]).toEqual([{ id }]);
      expect(codes(await t.gql(admin, decide, { id, approve: true }))).toEqual(["CONFLICT"]);

      const drp = await t.gql(drpOwner, review, { id, provider: "drp", approve: true, comment: "Fine" });
      expect((drp.data?.["reviewGrantRequest"] as RequestJson).status).toBe("PROVIDER_REVIEW");
      // A replay of a decided review is a CONFLICT; a review by the wrong provider FORBIDDEN.
      expect(codes(await t.gql(drpOwner, review, { id, provider: "drp", approve: true }))).toEqual(["CONFLICT"]);
      expect(codes(await t.gql(drpOwner, review, { id, provider: "dmt", approve: true }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(rgdOwner, review, { id, provider: "registry", approve: true }))).toEqual(["NOT_FOUND"]);
      const dmt = await t.gql(dmtOwner, review, { id, provider: "dmt", approve: true });
      expect(dmt.data?.["reviewGrantRequest"]).toMatchObject({ status: "EXCHANGE_REVIEW" });
      expect(dmt.extensions?.["ndxAudit"]).toMatchObject({ action: "reviewGrantRequest", before: { status: "PROVIDER_REVIEW" }, after: { status: "EXCHANGE_REVIEW" } });

      const live = async () => (await t.gql(admin, `{ grants(application: "benefits-app") { provider coordinate status request { id } } }`)).data?.["grants"] as {
        provider: string;
        coordinate: string;
        request: { id: string } | null;
      }[];
      expect((await live()).some((g) => g.coordinate === "Person.vehicles")).toBe(false);
      const decided = await t.gql(admin, decide, { id, approve: true, comment: "Approved for the means test" });
      expect(decided.data?.["decideGrantRequest"]).toMatchObject({ status: "APPROVED", decidedBy: "exchange.admin", comment: "Approved for the means test" });
      const grants = (await live()).filter((g) => g.request?.id === id);
      expect(grants.map((g) => `${g.provider}:${g.coordinate}`).sort()).toEqual(["dmt:Person.vehicles", "dmt:Vehicle.regNo", "drp:Person.profession"]);
      expect(codes(await t.gql(admin2, decide, { id, approve: true }))).toEqual(["CONFLICT"]);
    });

    it("rejects the whole request when one provider rejects its part, with the reason required", async () => {
      const { request } = await ask();
      const id = request?.id ?? "";
      expect(codes(await t.gql(dmtOwner, review, { id, provider: "dmt", approve: false }))).toEqual(["BAD_USER_INPUT"]);
      const rejected = await t.gql(dmtOwner, review, { id, provider: "dmt", approve: false, comment: "Not needed for a means test" });
      expect(rejected.data?.["reviewGrantRequest"]).toMatchObject({ status: "REJECTED" });
      expect(codes(await t.gql(drpOwner, review, { id, provider: "drp", approve: true }))).toEqual(["CONFLICT"]);
      expect(codes(await t.gql(admin, decide, { id, approve: true }))).toEqual(["CONFLICT"]);
    });

    it("refuses unknown fields, other purposes and end dates in the past or beyond the maximum, writing nothing", async () => {
      const before = await written(t.db);
      const unknown = await ask([{ provider: "dmt", coordinate: "Person.shoeSize" }, { provider: "drp", coordinate: "Person.vehicles" }]);
      expect(codes(unknown.body)).toEqual(["BAD_USER_INPUT"]);
      expect(unknown.body.errors?.[0]?.extensions?.["unknownFields"]).toEqual(["dmt:Person.shoeSize", "drp:Person.vehicles"]);
      expect(codes((await ask(vehiclesAndName, welfare, { endsAt: inDays(-1) })).body)).toEqual(["BAD_USER_INPUT"]);
      const beyond = await ask(vehiclesAndName, welfare, { endsAt: inDays(366) });
      expect(codes(beyond.body)).toEqual(["BAD_USER_INPUT"]);
      expect(beyond.body.errors?.[0]?.message).toMatch(/maximum of 365 days/);
      expect(codes((await ask(vehiclesAndName, welfare, { endsAt: "next week" })).body)).toEqual(["BAD_USER_INPUT"]);
      expect(codes((await ask(vehiclesAndName, welfare, { purpose: "passport-application" })).body)).toEqual(["BAD_USER_INPUT"]);
      expect(codes((await ask(vehiclesAndName, welfare, { justification: " " })).body)).toEqual(["BAD_USER_INPUT"]);
      expect(codes((await ask([])).body)).toEqual(["BAD_USER_INPUT"]);
      // Fields of a provider no member operates would wait for a review nobody can give.
      await t.db.query("DELETE FROM member_provider WHERE provider = 'dmt'");
      try {
        const unoperated = await ask();
        expect(codes(unoperated.body)).toEqual(["BAD_USER_INPUT"]);
        expect(unoperated.body.errors?.[0]?.extensions?.["unoperatedProviders"]).toEqual(["dmt"]);
      } finally {
        await t.db.query("INSERT INTO member_provider (provider, member_code) VALUES ('dmt', 'DMT')");
      }
      // Another member's application: as if there were none. A data owner is not the member's administrator.
      expect(codes((await ask(vehiclesAndName, immigration)).body)).toEqual(["NOT_FOUND"]);
      expect(codes((await ask(vehiclesAndName, admin)).body)).toEqual(["FORBIDDEN"]);
      expect(await written(t.db)).toEqual(before);
    });

    it("keeps maker-checker: nobody reviews or decides their own request", async () => {
      // An exchange administrator who is also SWD's member admin and DRP's data owner requests, then tries to approve.
      const both = { ...admin2, id: "exchange.admin2" };
      await t.gql(admin, `mutation { a: setMemberPerson(member: "SWD", person: { username: "exchange.admin2", role: MEMBER_ADMIN }) { code }
        b: setMemberPerson(member: "DRP", person: { username: "exchange.admin2", role: PROVIDER_DATA_OWNER }) { code } }`);
      const { request } = await ask([{ provider: "drp", coordinate: "Person.otherNames" }], both);
      const id = request?.id ?? "";
      expect(codes(await t.gql(both, review, { id, provider: "drp", approve: true }))).toEqual(["FORBIDDEN"]);
      await t.gql(drpOwner, review, { id, provider: "drp", approve: true });
      const own = await t.gql(both, decide, { id, approve: true });
      expect(codes(own)).toEqual(["FORBIDDEN"]);
      expect(own.errors?.[0]?.message).toMatch(/maker-checker/);
      expect((await t.gql(admin, decide, { id, approve: true })).data?.["decideGrantRequest"]).toMatchObject({ status: "APPROVED" });
    });

    it("lets only the requester withdraw, and only while under review", async () => {
      const { request } = await ask();
      const id = request?.id ?? "";
      expect(codes(await t.gql(admin, withdraw, { id }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(immigration, withdraw, { id }))).toEqual(["NOT_FOUND"]);
      expect((await t.gql(welfare, withdraw, { id })).data?.["withdrawGrantRequest"]).toEqual({ id, status: "WITHDRAWN" });
      expect(codes(await t.gql(welfare, withdraw, { id }))).toEqual(["CONFLICT"]);
      expect(codes(await t.gql(drpOwner, review, { id, provider: "drp", approve: true }))).toEqual(["CONFLICT"]);
    });

    it("revokes a live grant (exchange administrator or its provider's data owner), once", async () => {
      const grants = (await t.gql(admin, `{ grants(application: "passport-app") { id provider coordinate status } }`)).data?.["grants"] as {
        id: string;
        provider: string;
        coordinate: string;
      }[];
      const vehicles = grants.find((g) => g.provider === "dmt" && g.coordinate === "Person.vehicles");
      const drpGrant = grants.find((g) => g.provider === "drp");
      expect(vehicles).toBeDefined();
      expect(codes(await t.gql(drpOwner, revoke, { id: vehicles?.id, reason: "no" }))).toEqual(["NOT_FOUND"]);
      expect(codes(await t.gql(immigration, revoke, { id: vehicles?.id, reason: "mine" }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(dmtOwner, revoke, { id: vehicles?.id, reason: "" }))).toEqual(["BAD_USER_INPUT"]);
      const revoked = await t.gql(dmtOwner, revoke, { id: vehicles?.id, reason: "Vehicle data withdrawn from passports" });
      expect(revoked.data?.["revokeFieldGrant"]).toMatchObject({ status: "REVOKED", revokedBy: "dmt.owner", revokeReason: "Vehicle data withdrawn from passports" });
      expect(revoked.extensions?.["ndxAudit"]).toMatchObject({ action: "revokeFieldGrant", before: { status: "ACTIVE" }, after: { status: "REVOKED" } });
      expect(codes(await t.gql(admin, revoke, { id: vehicles?.id, reason: "again" }))).toEqual(["CONFLICT"]);
      expect((await t.gql(admin, revoke, { id: drpGrant?.id, reason: "Exchange decision" })).errors).toBeUndefined();
      // Live grants leave it out; asked for, it is there as REVOKED.
      const after = await t.gql(admin, `{ live: grants(application: "passport-app") { id } all: grants(application: "passport-app", includeEnded: true) { id status } }`);
      expect((after.data?.["live"] as { id: string }[]).some((g) => g.id === vehicles?.id)).toBe(false);
      expect((after.data?.["all"] as { id: string; status: string }[]).find((g) => g.id === vehicles?.id)?.status).toBe("REVOKED");
    });

    it("shows data owners the requests and grants naming their providers, and nobody another member's", async () => {
      const dmtSees = (await t.gql(dmtOwner, `{ grantRequests { parts { provider } } grants { provider } }`)).data as {
        grantRequests: { parts: { provider: string }[] }[];
        grants: { provider: string }[];
      };
      expect(dmtSees.grantRequests.length).toBeGreaterThan(0);
      expect(dmtSees.grantRequests.every((r) => r.parts.some((p) => p.provider === "dmt"))).toBe(true);
      expect(dmtSees.grants.every((g) => g.provider === "dmt")).toBe(true);
      // An application's grants, for several applications in one request: the caller's share of each.
      const apps = (await t.gql(dmtOwner, `{ applications { id grants { provider status } } }`)).data?.["applications"] as {
        id: string;
        grants: { provider: string }[];
      }[];
      expect(apps.map((a) => a.id).sort()).toEqual(["benefits-app", "passport-app"]);
      expect(apps.every((a) => a.grants.length > 0 && a.grants.every((g) => g.provider === "dmt"))).toBe(true);
      const adminApps = (await t.gql(admin, `{ applications { id grants { provider } } }`)).data?.["applications"] as { id: string; grants: { provider: string }[] }[];
      expect(new Set(adminApps.find((a) => a.id === "passport-app")?.grants.map((g) => g.provider))).toEqual(new Set(["registry", "drp", "dmt"]));
      const die = (await t.gql(immigration, `{ grantRequests { id } grants { application { id } } }`)).data as {
        grantRequests: unknown[];
        grants: { application: { id: string } }[];
      };
      expect(die.grantRequests).toEqual([]);
      expect(new Set(die.grants.map((g) => g.application.id))).toEqual(new Set(["passport-app"]));
      const someRequest = ((await t.gql(admin, `{ grantRequests { id } }`)).data?.["grantRequests"] as { id: string }[])[0]?.id;
      expect((await t.gql(immigration, `query($id: ID!) { grantRequest(id: $id) { id } }`, { id: someRequest })).data).toEqual({ grantRequest: null });
    });

    it("lets one of two simultaneous reviews of a part through and answers the other CONFLICT", async () => {
      const { request } = await ask([{ provider: "drp", coordinate: "Person.registeredName" }]);
      const id = request?.id ?? "";
      const both = await Promise.all([
        t.gql(drpOwner, review, { id, provider: "drp", approve: true }),
        t.gql(drpOwner, review, { id, provider: "drp", approve: false, comment: "No" }),
      ]);
      expect(both.map(codes).flat()).toEqual(["CONFLICT"]);
      const history = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM admin_history WHERE action = 'reviewGrantRequest' AND target = $1", [`grantRequest:${id}`]);
      expect(history.rows[0]?.n).toBe(1);
    });

    it("puts every change of a document into extensions.ndxAudit, as an array when there are several", async () => {
      const { request } = await ask([{ provider: "dmt", coordinate: "Vehicle.make" }, { provider: "drp", coordinate: "Person.otherNames" }]);
      const id = request?.id ?? "";
      await t.gql(drpOwner, review, { id, provider: "drp", approve: true });
      await t.gql(dmtOwner, review, { id, provider: "dmt", approve: true });
      const body = await t.gql(admin, `mutation($id: ID!) { a: decideGrantRequest(id: $id, approve: true) { status }
        b: suspendApplication(id: "benefits-app", reason: "Two in one") { status } c: reinstateApplication(id: "benefits-app") { status } }`, { id });
      expect(body.errors).toBeUndefined();
      const audit = body.extensions?.["ndxAudit"] as { action: string; target: string }[];
      expect(audit.map((e) => [e.action, e.target])).toEqual([
        ["decideGrantRequest", `grantRequest:${id}`],
        ["suspendApplication", "application:benefits-app"],
        ["reinstateApplication", "application:benefits-app"],
      ]);
      // Reads carry no audit entry.
      expect((await t.gql(admin, "{ members { code } }")).extensions?.["ndxAudit"]).toBeUndefined();
    });

    it("serves the field catalogue to any caller", async () => {
      const body = await t.gql(undefined, `{ exchangeFields(provider: "dmt") { provider coordinate dataClass } }`);
      const fields = body.data?.["exchangeFields"] as { coordinate: string }[];
      expect(fields.length).toBeGreaterThan(3);
      expect(fields).toContainEqual({ provider: "dmt", coordinate: "Person.vehicles", dataClass: "PERSONAL" });
    });
  });
}
