/**
 * The engine following the exchange's register over real HTTP (a stand-in that speaks the register's contract): a
 * purpose text or limit changed in the register is on the next consent page, a newly registered application can ask
 * for consent at its registered redirect URI only, a suspended one opens nothing and gets nothing granted, and a stale
 * register refuses what depends on it (503) while reading, refusing and revoking go on — and recover.
 */
import { createLogger } from "@ndx/platform";
import { startRegisterStandIn, type RegisterStandIn } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followExchangeRegister, type ApplicationRegister, type ConsentView, type RegisterApplication } from "../src/index.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { passportRedirect, passportRequest, seededRegister, startSystem, type TestSystem } from "./support/system.ts";

let exchange: RegisterStandIn;
let applications: ApplicationRegister;
let system: TestSystem;

// The stream's deadline (the contract's default is 1 s): long enough that a loaded 2-core CI machine stalling this
// process does not make the register stale by itself, or lapse a tightening change the engine should acknowledge.
const staleAfterMs = 3000;

beforeAll(async () => {
  exchange = await startRegisterStandIn(seededRegister, { heartbeatMs: 100, staleAfterMs });
  applications = followExchangeRegister({
    url: exchange.url,
    serviceToken: exchange.token,
    logger: createLogger("consent-engine", "silent"),
    // A fetch or an acknowledgement that should succeed: room for a loaded machine.
    timeoutMs: 5000,
    maxBackoffMs: 200,
  });
  await applications.ready();
  system = await startSystem({ engine: { applications, revisionHeartbeatMs: 50 } });
  // Starting the identity provider can hold the event loop longer than staleAfterMs: the register may be stale here.
  await until(() => applications.fresh());
});
afterAll(async () => {
  await system?.close();
  await exchange?.close();
});

async function until(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Commits a change at the exchange and waits until the engine holds it. */
async function registerChange(update: (apps: RegisterApplication[]) => RegisterApplication[]): Promise<void> {
  const { revision } = exchange.change(update);
  await until(() => applications.revision >= revision && applications.fresh());
}

/** Commits a tightening change and waits only as the exchange does before answering it: until every follower acknowledged it. */
async function tighten(update: (apps: RegisterApplication[]) => RegisterApplication[]): Promise<void> {
  const { revision } = exchange.change(update);
  expect(await exchange.settled(revision)).toMatchObject({ acknowledged: 1, lapsed: 0 });
}

const withApp = (id: string, change: (a: RegisterApplication) => RegisterApplication) => (apps: RegisterApplication[]) =>
  apps.map((a) => (a.id === id ? change(a) : a));

async function signedInAs(subject: string): Promise<string> {
  const { cookie } = await createSessionStore({ db: system.db, secure: false }).create({
    user: { subject, name: subject, idToken: "unused", kind: "citizen" },
  });
  return cookie.split(";")[0] ?? "";
}

async function portal(path: string, cookie?: string, init: RequestInit = {}): Promise<{ status: number; text: string; location: string | null }> {
  const headers = new Headers(init.headers);
  if (cookie !== undefined) headers.set("cookie", cookie);
  const response = await fetch(`${system.portalUrl}${path}`, { ...init, headers, redirect: "manual" });
  return { status: response.status, text: await response.text(), location: response.headers.get("location") };
}

async function openRequest(body: object): Promise<ConsentView> {
  const response = await system.api("/v1/consent-requests", body);
  expect(response.status).toBe(201);
  return (await response.json()) as ConsentView;
}

async function consentsOf(citizenId: string): Promise<ConsentView[]> {
  return ((await (await system.api(`/v1/consents?citizenId=${citizenId}`)).json()) as { consents: ConsentView[] }).consents;
}

const formToken = (page: string) => /name="token" value="([^"]+)"/.exec(page)?.[1] ?? "";

describe("consent engine following the exchange's register", () => {
  it("shows the purpose's text, legal basis and limit as registered now, on the next consent page", async () => {
    const citizen = "199012345678";
    const consent = await openRequest({ ...passportRequest, citizenId: citizen });
    const cookie = await signedInAs(citizen);
    const before = await portal(`/consent/${consent.consentId}`, cookie);
    expect(before.status).toBe(200);
    expect(before.text).toContain("To process your passport application");
    expect(before.text).toContain("Passports Act, section 4 (identity of the applicant)");
    expect(before.text).toContain("Department of Immigration and Emigration");
    expect(before.text).toContain("The passport office checks who you are");
    expect(before.text).toContain("The longest time allowed is 30 days");

    await registerChange(
      withApp("passport-app", (a) => ({
        ...a,
        name: "Passport Office",
        purposes: a.purposes.map((p) => ({ ...p, text: "To issue or renew your passport", legalBasis: "Passports Act 2026, section 5", maxConsentDays: 3 })),
      })),
    );
    const after = await portal(`/consent/${consent.consentId}`, cookie);
    expect(after.text).toContain("To issue or renew your passport");
    expect(after.text).toContain("Passports Act 2026, section 5");
    expect(after.text).toContain("Passport Office asks to see some of your information");
    expect(after.text).not.toContain("To process your passport application");
    expect(after.text).toContain("The longest time allowed is 3 days");
    // The register's maxConsentDays is the limit of a grant.
    const tooLong = await system.api(`/v1/consent-requests/${consent.consentId}/grant`, { citizenId: citizen, durationDays: 4 });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { details: unknown }).details).toEqual({ maxDurationDays: 3 });
    const granted = await system.api(`/v1/consent-requests/${consent.consentId}/grant`, { citizenId: citizen, durationDays: 3 });
    expect(granted.status).toBe(200);
    // The artefact keeps the text the citizen granted (it was opened under the old one).
    expect(((await granted.json()) as { purposeText: string }).purposeText).toBe("To issue or renew your passport");
    expect((await portal("/my/consents", cookie)).text).toContain("To issue or renew your passport");
    expect((await consentsOf(citizen))[0]).toMatchObject({ consumerName: "Passport Office", maxDurationDays: 3 });
  });

  it("lets a newly registered application ask for consent, at its registered redirect URI only", async () => {
    const citizen = "198503150123";
    const healthApp: RegisterApplication = {
      id: "health-app",
      name: "Ministry of Health — Clinic Registration",
      description: "The clinic checks who you are before it registers you.",
      member: { code: "MOH", name: "Ministry of Health" },
      status: "ACTIVE",
      redirectUris: ["https://clinic.health.example/consent/callback"],
      purposes: [{ code: "clinic-registration", text: "To register you at a clinic", legalBasis: "Public Health Act, section 9", maxConsentDays: 14, maxGrantDays: 90 }],
      clearance: "PERSONAL",
      bulkAccess: false,
      grants: [],
    };
    const ask = { consumerId: "health-app", citizenId: citizen, purpose: "clinic-registration", fields: [{ provider: "registry", field: "Person.fullName" }], openRequest: true };
    expect((await system.api("/v1/consents/check", ask)).status).toBe(403);
    await registerChange((apps) => [...apps, healthApp]);

    const answer = (await (await system.api("/v1/consents/check", ask)).json()) as { status: string; request: { consentRequestId: string; consentUrl: string } };
    expect(answer.status).toBe("missing");
    const id = answer.request.consentRequestId;
    const registered = await portal(`/consent/${id}?redirect_uri=${encodeURIComponent(healthApp.redirectUris[0] ?? "")}&state=s1`);
    expect(registered.status).toBe(303); // on to sign-in
    for (const uri of ["https://clinic.health.example/consent/other", passportRedirect, "https://clinic.health.example/consent/callback#x"]) {
      const refused = await portal(`/consent/${id}?redirect_uri=${encodeURIComponent(uri)}`);
      expect(refused.status, uri).toBe(400);
      expect(refused.location).toBeNull();
    }
    const page = await portal(`/consent/${id}`, await signedInAs(citizen));
    expect(page.text).toContain("Ministry of Health — Clinic Registration asks to see some of your information");
    expect(page.text).toContain("Public Health Act, section 9");
  });

  it("opens nothing for a suspended application and grants none of its open requests; the citizen can still refuse", async () => {
    const citizen = "200101010011";
    const pending = await openRequest({ ...passportRequest, citizenId: citizen });
    const cookie = await signedInAs(citizen);
    const token = formToken((await portal(`/consent/${pending.consentId}`, cookie)).text);
    expect(token).not.toBe("");
    // The very next request after the exchange answered the suspension is refused.
    await tighten(withApp("passport-app", (a) => ({ ...a, status: "SUSPENDED" })));
    try {
      const suspended = { code: "FORBIDDEN", message: "application suspended", details: { consumerId: "passport-app", reasons: ["application suspended"] } };
      for (const [path, body] of [
        ["/v1/consents/check", { ...passportRequest, citizenId: citizen, fields: [{ provider: "dmt", field: "Vehicle.make" }], openRequest: true }],
        ["/v1/consent-requests", { ...passportRequest, citizenId: citizen, fields: [{ provider: "dmt", field: "Vehicle.make" }] }],
        [`/v1/consent-requests/${pending.consentId}/grant`, { citizenId: citizen, durationDays: 1 }],
      ] as const) {
        const response = await system.api(path, body);
        expect(response.status, path).toBe(403);
        expect(await response.json(), path).toEqual(suspended);
      }
      const page = await portal(`/consent/${pending.consentId}`, cookie);
      expect(page.status).toBe(403);
      expect(page.text).toContain("This application is suspended");
      expect(page.text).not.toContain('value="grant"');
      // A form shown before the suspension cannot grant after it.
      const posted = await portal(`/consent/${pending.consentId}`, cookie, {
        method: "POST",
        headers: { origin: system.portalUrl, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, decision: "grant", durationDays: "1" }).toString(),
      });
      expect(posted.status).toBe(403);
      expect(posted.text).toContain("This application is suspended");
      expect(await consentsOf(citizen)).toMatchObject([{ consentId: pending.consentId, status: "PENDING" }]);
      const refused = await system.api(`/v1/consent-requests/${pending.consentId}/reject`, { citizenId: citizen });
      expect(refused.status).toBe(200);
      expect(await consentsOf(citizen)).toMatchObject([{ consentId: pending.consentId, status: "REJECTED" }]);
      // Someone else's request says nothing about that application.
      const other = await portal(`/consent/${pending.consentId}`, await signedInAs("197712240099"));
      expect(other.status).toBe(403);
      expect(other.text).toContain("This request is for someone else");
    } finally {
      await registerChange(withApp("passport-app", (a) => ({ ...a, status: "ACTIVE" })));
    }
  });

  it("refuses what depends on a stale register with 503, goes on reading, refusing and revoking, and recovers", async () => {
    const citizen = "196806300456";
    const active = await openRequest({ ...passportRequest, citizenId: citizen });
    expect((await system.api(`/v1/consent-requests/${active.consentId}/grant`, { citizenId: citizen, durationDays: 1 })).status).toBe(200);
    const pending = await openRequest({ ...passportRequest, citizenId: citizen, fields: [{ provider: "drp", field: "Person.profession" }] });
    // Another citizen's request (a second one of this application and purpose for the same citizen would supersede it).
    const refuser = "200101010011";
    const toRefuse = await openRequest({ ...passportRequest, citizenId: refuser, fields: [{ provider: "drp", field: "Person.otherNames" }] });
    const cookie = await signedInAs(citizen);

    exchange.silence();
    try {
      await until(() => !applications.fresh(), staleAfterMs + 7000);
      const ask = { ...passportRequest, citizenId: citizen, fields: [{ provider: "dmt", field: "Vehicle.model" }] };
      for (const [path, body] of [
        ["/v1/consents/check", { ...ask, openRequest: true }],
        ["/v1/consents/check", ask],
        ["/v1/consent-requests", ask],
        [`/v1/consent-requests/${pending.consentId}/grant`, { citizenId: citizen, durationDays: 1 }],
      ] as const) {
        const response = await system.api(path, body);
        expect(response.status, path).toBe(503);
        expect(response.headers.get("retry-after")).toBe("1");
        expect(((await response.json()) as { code: string }).code).toBe("UPSTREAM_UNAVAILABLE");
      }
      const page = await portal(`/consent/${pending.consentId}?redirect_uri=${encodeURIComponent(passportRedirect)}`, cookie);
      expect(page.status).toBe(503);
      expect(page.text).toContain("Please try again in a moment");
      expect(page.location).toBeNull();
      // Reading one's consents, refusing and revoking never wait for the register.
      expect((await portal("/my/consents", cookie)).status).toBe(200);
      expect((await system.api(`/v1/consent-requests/${toRefuse.consentId}/reject`, { citizenId: refuser })).status).toBe(200);
      const revoked = await system.api(`/v1/consents/${active.consentId}/revoke`, { citizenId: citizen });
      expect(revoked.status).toBe(200);
      // Named as last registered.
      const name = applications.lastKnown("passport-app")?.name ?? "";
      expect(name).not.toBe("");
      const statuses = Object.fromEntries((await consentsOf(citizen)).map((c) => [c.consentId, [c.status, c.consumerName]]));
      expect(statuses).toEqual({
        [active.consentId]: ["REVOKED", name],
        [pending.consentId]: ["PENDING", name],
      });
      expect((await consentsOf(refuser)).find((c) => c.consentId === toRefuse.consentId)).toMatchObject({ status: "REJECTED", consumerName: name });
    } finally {
      exchange.resume();
    }
    // The silent stream may be reopening (dropped at the deadline, then backoff and a first event awaited).
    await until(() => applications.fresh(), 15_000);
    expect((await system.api(`/v1/consent-requests/${pending.consentId}/grant`, { citizenId: citizen, durationDays: 1 })).status).toBe(200);
  });
});
