/**
 * The engine following the real exchange subgraph's register (`@ndx/exchange` on a free port, seeded as a fresh
 * development exchange), changed through its GraphQL mutations as the gateway would call them: an application a member
 * administrator registers can ask for consent at once, at its registered redirect URI only, named and explained as
 * registered; suspended by an exchange administrator, it opens nothing from the very next request and gets nothing
 * granted; reinstated, it can.
 */
import { createLogger } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followExchangeRegister, type ApplicationRegister, type ConsentView } from "../src/index.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { exchangeAdmin, immigrationAdmin, startRealExchange, type RealExchange } from "./support/realExchange.ts";
import { startSystem, type TestSystem } from "./support/system.ts";

let exchange: RealExchange;
let applications: ApplicationRegister;
let system: TestSystem;

/**
 * Waits for `condition`. A condition that throws is not met yet: `applications.current` refuses while the register is
 * stale, which a test process paused past the deadline on a loaded machine sees once, until the next acknowledgement.
 */
async function until(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (condition()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error("condition not met in time", { cause: last });
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  exchange = await startRealExchange();
  applications = followExchangeRegister({ url: exchange.url, serviceToken: exchange.token, logger: createLogger("consent-engine", "silent"), timeoutMs: 5000 });
  await applications.ready();
  system = await startSystem({ engine: { applications, revisionHeartbeatMs: 50 } });
  await until(() => applications.fresh());
});
afterAll(async () => {
  await system?.close();
  await exchange?.close();
});

const citizen = "199012345678";
const redirect = "https://visa.immigration.example/callback";
const registerApplication = `mutation($input: RegisterApplicationInput!) { registerApplication(input: $input) { clientId } }`;
const suspend = `mutation($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { status } }`;
const reinstate = `mutation($id: ID!) { reinstateApplication(id: $id) { status } }`;

async function page(path: string, cookie?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${system.portalUrl}${path}`, { redirect: "manual", headers: cookie === undefined ? {} : { cookie } });
  return { status: response.status, text: await response.text() };
}

describe("consent engine following the real exchange's register", () => {
  it("reads the seeded applications as the exchange serves them", () => {
    expect(applications.current("passport-app")).toMatchObject({
      member: { code: "DIE", name: "Department of Immigration and Emigration" },
      status: "ACTIVE",
      redirectUris: ["http://localhost:5173/callback"],
      purposes: [{ code: "passport-application", text: "To process your passport application", maxConsentDays: 30 }],
    });
  });

  it("lets a newly registered application ask for consent, and refuses it while suspended", async () => {
    const registered = await exchange.gql(immigrationAdmin, registerApplication, {
      input: {
        member: "DIE",
        name: "Visa Applications",
        description: "The immigration office checks who you are when you apply for a visa.",
        redirectUris: [redirect],
        purposes: [{ code: "visa-application", text: "To process your visa application", legalBasis: "Immigration Act, section 9", maxConsentDays: 10 }],
      },
    });
    const id = (registered["registerApplication"] as { clientId: string }).clientId;
    await until(() => applications.current(id) !== undefined);

    const ask = { consumerId: id, citizenId: citizen, purpose: "visa-application", fields: [{ provider: "registry", field: "Person.fullName" }], openRequest: true };
    const answer = (await (await system.api("/v1/consents/check", ask)).json()) as { request: { consentRequestId: string } };
    const requestId = answer.request.consentRequestId;
    expect((await page(`/consent/${requestId}?redirect_uri=${encodeURIComponent(redirect)}`)).status).toBe(303);
    expect((await page(`/consent/${requestId}?redirect_uri=${encodeURIComponent("https://visa.immigration.example/other")}`)).status).toBe(400);
    const { cookie } = await createSessionStore({ db: system.db, secure: false }).create({ user: { subject: citizen, name: citizen, idToken: "unused", kind: "citizen" } });
    const question = await page(`/consent/${requestId}`, cookie.split(";")[0]);
    expect(question.status).toBe(200);
    for (const text of ["Visa Applications asks to see some of your information", "To process your visa application", "Immigration Act, section 9", "Department of Immigration and Emigration", "The longest time allowed is 10 days"]) {
      expect(question.text).toContain(text);
    }

    // The exchange answers a suspension once the engine holds it: the very next consent request is refused.
    await exchange.gql(exchangeAdmin, suspend, { id, reason: "test: suspended" });
    const refused = await system.api("/v1/consents/check", { ...ask, fields: [{ provider: "registry", field: "Person.dateOfBirth" }] });
    const before = ((await (await system.api(`/v1/consents?citizenId=${citizen}`)).json()) as { consents: ConsentView[] }).consents.length;
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "FORBIDDEN", message: "application suspended" });
    const grant = await system.api(`/v1/consent-requests/${requestId}/grant`, { citizenId: citizen, durationDays: 1 });
    expect(grant.status).toBe(403);
    expect(((await (await system.api(`/v1/consents?citizenId=${citizen}`)).json()) as { consents: ConsentView[] }).consents).toHaveLength(before);

    await exchange.gql(exchangeAdmin, reinstate, { id });
    await until(() => applications.current(id)?.status === "ACTIVE");
    const granted = await system.api(`/v1/consent-requests/${requestId}/grant`, { citizenId: citizen, durationDays: 10 });
    expect(granted.status).toBe(200);
    expect(await granted.json()).toMatchObject({ status: "ACTIVE", consumerName: "Visa Applications", maxDurationDays: 10 });
  });
});
