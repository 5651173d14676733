/**
 * Through the real access plugin (every part real): the registry learns who asks, and under which recorded decision,
 * only from the gateway's signed assertion; the decision it names is the permit on the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayTrust } from "@ndx/platform";
import { assertions } from "./harness.ts";
import { startSystem, type System } from "./system.ts";

let system: System;
let benefits: string;
beforeAll(async () => {
  system = await startSystem();
  benefits = await system.token("benefits-app");
});
afterAll(async () => system?.close());

const asRegistry = createGatewayTrust({ audience: "registry", jwks: assertions.jwks });

describe("the caller assertion of a permitted request", () => {
  it("names the consumer and the audit event of its permit, and is signed for the registry alone", async () => {
    const seen = system.registryAuthorizations.length;
    const response = await system.query({ query: "{ districts }" }, { authorization: `Bearer ${benefits}`, "x-purpose": "benefit-eligibility" });
    expect(response.body["data"]?.["districts"]).toContain("Ibombo");
    const sent = system.registryAuthorizations.slice(seen);
    expect(sent).toHaveLength(1);
    const token = /^Bearer (\S+)$/.exec(sent[0] ?? "")?.[1] ?? "";
    const caller = await asRegistry.verify(token);
    expect(caller).toMatchObject({ kind: "consumer", id: "benefits-app", decisionId: expect.any(String) });
    const permit = await system.gatewayDb.query<{ consumer: string; decision: string }>("SELECT consumer, decision FROM audit_event WHERE id = $1", [
      caller?.decisionId,
    ]);
    expect(permit.rows).toEqual([{ consumer: "benefits-app", decision: "permit" }]);
    await expect(createGatewayTrust({ audience: "drp", jwks: assertions.jwks }).verify(token)).rejects.toThrow(/aud/);
  });

  it("is not sent at all for a refused request", async () => {
    const seen = system.registryAuthorizations.length;
    const refused = await system.query({ query: "{ districts }" }, { authorization: "Bearer forged", "x-purpose": "benefit-eligibility" });
    expect(refused.status).toBe(401);
    expect(system.registryAuthorizations.length).toBe(seen);
  });
});
