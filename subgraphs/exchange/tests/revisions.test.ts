/** Every kind of change moves the register's revision by exactly one, and is announced on the stream; reads and refusals move nothing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForwardedCaller } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { admin, dmtOwner, drpOwner, health, inDays, startTestExchange, written, type TestExchange } from "./harness.ts";
import { sseReader } from "./sse.ts";

for (const backend of testBackends()) {
  describe(`the revision on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("moves once per change, announced on the stream, through a member's whole onboarding", async () => {
      const events = sseReader(await t.get("/v1/register/stream"));
      let expected = Number((await events.next())?.data["revision"]);
      const step = async (caller: ForwardedCaller, query: string, variables: Record<string, unknown> = {}) => {
        const body = await t.gql(caller, query, variables);
        expect({ query, errors: body.errors }).toEqual({ query, errors: undefined });
        expected += 1;
        expect((await written(t.db))["revision"]).toBe(expected);
        expect((await events.until((e) => e.event === "revision")).data["revision"]).toBe(expected);
        return body.data ?? {};
      };
      const unchanged = async (caller: ForwardedCaller, query: string) => {
        await t.gql(caller, query);
        expect((await written(t.db))["revision"]).toBe(expected);
      };
      try {
        await step(admin, `mutation { registerMember(input: { code: "MOH", name: "Ministry of Health", contactEmail: "x@moh.example",
          people: [{ username: "health.admin", role: MEMBER_ADMIN }] }) { code } }`);
        await step(admin, `mutation { setMemberPerson(member: "MOH", person: { username: "health.deputy", role: MEMBER_ADMIN }) { code } }`);
        const registered = await step(health, `mutation { registerApplication(input: { member: "MOH", name: "Clinic check-in",
          description: "Checks who you are at the clinic.", redirectUris: ["https://clinic.example/cb"],
          purposes: [{ code: "clinic-checkin", text: "To check you in", legalBasis: "Health Act s. 3" }] }) { clientId } }`);
        const id = (registered["registerApplication"] as { clientId: string }).clientId;
        await step(health, `mutation { rotateApplicationSecret(id: "${id}") { clientId } }`);
        await step(admin, `mutation { suspendApplication(id: "${id}", reason: "Paperwork") { status } }`);
        await step(admin, `mutation { reinstateApplication(id: "${id}") { status } }`);
        const fields = `[{ provider: "drp", coordinate: "Person.registeredName" }, { provider: "dmt", coordinate: "Person.vehicles" }]`;
        const ask = (n: number) =>
          `mutation { requestFieldGrant(input: { application: "${id}", purpose: "clinic-checkin", fields: ${fields}, justification: "Check-in ${n}", endsAt: "${inDays(30)}" }) { id } }`;
        const first = ((await step(health, ask(1)))["requestFieldGrant"] as { id: string }).id;
        await step(drpOwner, `mutation { reviewGrantRequest(id: "${first}", provider: "drp", approve: true) { status } }`);
        await step(dmtOwner, `mutation { reviewGrantRequest(id: "${first}", provider: "dmt", approve: true) { status } }`);
        await step(admin, `mutation { decideGrantRequest(id: "${first}", approve: true) { status } }`);
        const second = ((await step(health, ask(2)))["requestFieldGrant"] as { id: string }).id;
        await step(health, `mutation { withdrawGrantRequest(id: "${second}") { status } }`);
        const grants = (await t.gql(admin, `{ grants(application: "${id}") { id provider } }`)).data?.["grants"] as { id: string; provider: string }[];
        const vehicles = grants.find((g) => g.provider === "dmt")?.id ?? "";
        await step(dmtOwner, `mutation { revokeFieldGrant(id: "${vehicles}", reason: "No longer needed") { status } }`);
        // Reads and refused changes move nothing.
        await unchanged(admin, `{ members { code } grantRequests { id } grants { id } }`);
        await unchanged(admin, `mutation { revokeFieldGrant(id: "${vehicles}", reason: "again") { status } }`);
        await unchanged(health, `mutation { decideGrantRequest(id: "${second}", approve: true) { status } }`);
        // The register shows the new application with its one live grant.
        const register = (await (await t.get("/v1/register")).json()) as { revision: number; applications: { id: string; grants: { field: string }[] }[] };
        expect(register.revision).toBe(expected);
        expect(register.applications.find((a) => a.id === id)?.grants.map((g) => g.field)).toEqual(["Person.registeredName"]);
      } finally {
        await events.cancel();
      }
    });
  });
}
