/**
 * GET /v1/consents/coverage over real HTTP: counts of live consents covering a field (or any field of a type), for the
 * schema registry's checks; service token required, bad input refused, nothing else answered (no ids, no citizens).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.close();
});

const coverage = async (provider: string, field: string) => {
  const response = await system.api(`/v1/consents/coverage?provider=${encodeURIComponent(provider)}&field=${encodeURIComponent(field)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("consent coverage counts", () => {
  it("counts live consents covering a field, only once granted, and by type", async () => {
    expect(await coverage("drp", "Person.permanentAddress")).toEqual({ status: 200, body: { provider: "drp", field: "Person.permanentAddress", active: 0 } });
    const opened = (await (await system.api("/v1/consent-requests", passportRequest)).json()) as ConsentView;
    expect((await coverage("drp", "Person.permanentAddress")).body["active"]).toBe(0);
    const granted = await system.api(`/v1/consent-requests/${opened.consentId}/grant`, { citizenId: passportRequest.citizenId, durationDays: 7 });
    expect(granted.status).toBe(200);
    expect((await coverage("drp", "Person.permanentAddress")).body).toEqual({ provider: "drp", field: "Person.permanentAddress", active: 1 });
    expect((await coverage("drp", "Person")).body["active"]).toBe(1);
    expect((await coverage("dmt", "Person.permanentAddress")).body["active"]).toBe(0);
    expect((await coverage("drp", "Person.profession")).body["active"]).toBe(0);
    const revoked = await system.api(`/v1/consents/${opened.consentId}/revoke`, { citizenId: passportRequest.citizenId });
    expect(revoked.status).toBe(200);
    expect((await coverage("drp", "Person.permanentAddress")).body["active"]).toBe(0);
  });

  it("needs the service token and a provider and field", async () => {
    const anonymous = await fetch(`${system.portalUrl}/v1/consents/coverage?provider=drp&field=Person.nic`);
    expect(anonymous.status).toBe(401);
    expect((await coverage("DRP", "Person.nic")).status).toBe(400);
    expect((await coverage("drp", "Person.nic'; --")).status).toBe(400);
    expect((await coverage("drp", "")).status).toBe(400);
  });
});
