import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends } from "@ndx/platform/testing";
import { admin, codes, drpOwner, health, immigration, passportApp, startTestExchange, written, type TestExchange } from "./harness.ts";

const registerMember = `mutation($input: RegisterMemberInput!) {
  registerMember(input: $input) { code name contactEmail providers people { username role } applications { id } createdAt } }`;
const setPerson = `mutation($member: String!, $person: MemberPersonInput!) { setMemberPerson(member: $member, person: $person) { code people { username role } } }`;

const healthMember = {
  code: "MOH",
  name: "Ministry of Health",
  contactEmail: "exchange@health.farajaland.example",
  providers: [],
  people: [{ username: "health.admin", role: "MEMBER_ADMIN" }],
};

for (const backend of testBackends()) {
  describe(`members on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("registers a member with its people, audited before/after with the gateway's decision id", async () => {
      const before = await written(t.db);
      const body = await t.gql(admin, registerMember, { input: healthMember });
      expect(body.errors).toBeUndefined();
      expect(body.data?.["registerMember"]).toMatchObject({ code: "MOH", providers: [], people: [{ username: "health.admin", role: "MEMBER_ADMIN" }], applications: [] });
      expect(body.extensions?.["ndxAudit"]).toMatchObject({ action: "registerMember", target: "member:MOH", before: null, after: { code: "MOH", people: [{ username: "health.admin" }] } });
      const after = await written(t.db);
      expect(after["revision"]).toBe((before["revision"] ?? 0) + 1);
      const history = await t.db.query<{ actor: string; action: string; decision_id: string }>(
        "SELECT actor, action, decision_id FROM admin_history ORDER BY position DESC LIMIT 1",
      );
      expect(history.rows[0]).toEqual({ actor: "exchange.admin", action: "registerMember", decision_id: "decision-exchange.admin" });
      // The member's admin now sees it; others do not.
      const seen = await t.gql(health, `{ member(code: "MOH") { code } members { code } }`);
      expect(seen.data).toEqual({ member: { code: "MOH" }, members: [{ code: "MOH" }] });
      expect((await t.gql(immigration, `{ member(code: "MOH") { code } }`)).data).toEqual({ member: null });
    });

    it("keeps the history append-only", async () => {
      await expect(t.db.query("UPDATE admin_history SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(t.db.query("DELETE FROM admin_history")).rejects.toThrow(/append-only/);
    });

    it("refuses a duplicate code, a provider operated already, unknown providers and bad codes, writing nothing", async () => {
      const before = await written(t.db);
      const cases: [Record<string, unknown>, string][] = [
        [{ ...healthMember }, "CONFLICT"],
        [{ ...healthMember, code: "MOH2", providers: ["drp"] }, "CONFLICT"],
        [{ ...healthMember, code: "MOH3", providers: ["hospital"] }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH4", providers: ["exchange"] }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "moh" }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "M" }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH5", name: " " }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH6", name: "x".repeat(201) }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH7", contactEmail: "not an address" }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH8", people: [{ username: "", role: "MEMBER_ADMIN" }] }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH9", people: [{ username: "a", role: "MEMBER_ADMIN" }, { username: "a", role: "PROVIDER_DATA_OWNER" }] }, "BAD_USER_INPUT"],
        [{ ...healthMember, code: "MOH10", people: [{ username: "a", role: "EVERYTHING" }] }, "BAD_USER_INPUT"],
      ];
      for (const [input, code] of cases) {
        const body = await t.gql(admin, registerMember, { input });
        expect({ input, codes: codes(body) }).toEqual({ input, codes: [code] });
        expect(body.extensions?.["ndxAudit"]).toBeUndefined();
      }
      expect(await written(t.db)).toEqual(before);
    });

    it("is for exchange administrators only", async () => {
      const before = await written(t.db);
      for (const caller of [immigration, drpOwner]) {
        const body = await t.gql(caller, registerMember, { input: { ...healthMember, code: "MOX" } });
        expect(codes(body)).toEqual(["FORBIDDEN"]);
      }
      expect(codes(await t.gql(passportApp, registerMember, { input: { ...healthMember, code: "MOX" } }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(passportApp, "{ members { code } }"))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(undefined, "{ members { code } }"))).toEqual(["UNAUTHENTICATED"]);
      expect(codes(await t.gql(immigration, setPerson, { member: "DIE", person: { username: "x", role: "MEMBER_ADMIN" } }))).toEqual(["FORBIDDEN"]);
      expect(await written(t.db)).toEqual(before);
    });

    it("adds and changes a member's people", async () => {
      const added = await t.gql(admin, setPerson, { member: "MOH", person: { username: "health.owner", role: "PROVIDER_DATA_OWNER" } });
      expect(added.data?.["setMemberPerson"]).toEqual({
        code: "MOH",
        people: [
          { username: "health.admin", role: "MEMBER_ADMIN" },
          { username: "health.owner", role: "PROVIDER_DATA_OWNER" },
        ],
      });
      const changed = await t.gql(admin, setPerson, { member: "MOH", person: { username: "health.owner", role: "MEMBER_ADMIN" } });
      expect(changed.extensions?.["ndxAudit"]).toMatchObject({
        action: "setMemberPerson",
        before: { people: [{ username: "health.admin" }, { username: "health.owner", role: "PROVIDER_DATA_OWNER" }] },
        after: { people: [{ username: "health.admin" }, { username: "health.owner", role: "MEMBER_ADMIN" }] },
      });
      expect(codes(await t.gql(admin, setPerson, { member: "NOPE", person: { username: "x", role: "MEMBER_ADMIN" } }))).toEqual(["NOT_FOUND"]);
    });

    it("shows exchange administrators every member, seeded ones included", async () => {
      const body = await t.gql(admin, "{ members { code providers people { username } } }");
      const members = body.data?.["members"] as { code: string; providers: string[] }[];
      expect(members.map((m) => m.code)).toEqual(["DIE", "DMT", "DRP", "MOH", "RGD", "SWD"]);
      expect(members.find((m) => m.code === "DRP")?.providers).toEqual(["drp"]);
    });
  });
}
