/**
 * The consent portal in a real headless Chromium, against the real identity provider and engine: grant with
 * redirect and state, deny, revoke, a citizen answering someone else's request, a tampered redirect_uri, replays.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditReader, type CheckResult, type ConsentView } from "../../src/index.ts";
import { startAuditStandIn, type AuditStandIn } from "../support/auditStandIn.ts";
import { launchChromium, newCitizenContext, screenshot, signIn } from "../support/browser.ts";
import { startConsumerApp, type ConsumerApp } from "../support/consumerApp.ts";
import { passportRedirect, passportRequest, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let browser: Browser;
let consumerApp: ConsumerApp;
/** The gateway's audit API, as a real HTTP stand-in (the gateway itself is tested end to end in gateway/). */
let audit: AuditStandIn;

beforeAll(async () => {
  [consumerApp, audit] = await Promise.all([startConsumerApp(), startAuditStandIn()]);
  const auditReader = createAuditReader({ gatewayUrl: audit.url, token: audit.token });
  [system, browser] = await Promise.all([startSystem({ engine: { auditReader } }), launchChromium(consumerApp.hostRules)]);
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await consumerApp?.close();
  await audit?.close();
});

async function openRequest(body: unknown = passportRequest): Promise<ConsentView> {
  const response = await system.api("/v1/consent-requests", body);
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as ConsentView;
}

async function check(fields = passportRequest.fields): Promise<CheckResult> {
  const response = await system.api("/v1/consents/check", { ...passportRequest, fields });
  expect(response.status).toBe(200);
  return (await response.json()) as CheckResult;
}

async function getConsent(id: string): Promise<ConsentView> {
  return (await (await system.api(`/v1/consent-requests/${id}`)).json()) as ConsentView;
}

function consentLink(consent: ConsentView, redirectUri: string, state: string): string {
  const url = new URL(consent.consentUrl);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  return url.toString();
}

async function postForm(page: Page, path: string, form: Record<string, string>) {
  return page.request.post(`${system.portalUrl}${path}`, { form, headers: { origin: system.portalUrl }, maxRedirects: 0 });
}

describe("consent portal in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  let grantedId: string;

  beforeAll(async () => {
    context = await newCitizenContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context.close();
  });

  it("grants: sign-in, the question in plain language, Allow by keyboard, back to the consumer with state", async () => {
    const consent = await openRequest();
    expect(consent.status).toBe("PENDING");
    expect((await check()).status).toBe("missing");

    await page.goto(consentLink(consent, passportRedirect, "passport-state-42"));
    expect(new URL(page.url()).origin).toBe(new URL(system.idp.issuer).origin);
    await signIn(page, "199012345678");

    await expect.poll(() => page.url()).toContain(`/consent/${consent.consentId}`);
    const heading = page.getByRole("heading", { level: 1 });
    expect(await heading.textContent()).toContain("Department of Immigration and Emigration — Passport Application");
    const text = (await page.locator("main").textContent()) ?? "";
    for (const label of [
      "To process your passport application",
      "Registrar General's Department",
      "Department of Registration of Persons",
      "Department of Motor Traffic",
      "Full name",
      "Date of birth",
      "Permanent address",
      "Vehicles you own",
      "Registration numbers of your vehicles",
    ]) {
      expect(text).toContain(label);
    }
    expect(text).not.toContain("Person.permanentAddress");
    expect(text).not.toContain("Person.vehicles");
    expect(await page.getByText("Signed in as Chikondi Emmanuel Mulenga").count()).toBe(1);
    const shot = await screenshot(page, "consent-page");
    console.log(`consent page screenshot: ${shot}`);

    // Keyboard only: the duration select is labelled; choose 30 days, then Tab to Allow and press Enter.
    const duration = page.getByLabel("For how long");
    await duration.focus();
    await duration.selectOption("30");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Allow");
    const formToken = await page.locator(`form[action="/consent/${consent.consentId}"] input[name="token"]`).getAttribute("value");
    expect(formToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await Promise.all([page.waitForURL(/^http:\/\/localhost:5173\/callback/), page.keyboard.press("Enter")]);

    const landed = new URL(page.url());
    expect(landed.origin + landed.pathname).toBe(passportRedirect);
    expect(landed.searchParams.get("status")).toBe("granted");
    expect(landed.searchParams.get("consent_id")).toBe(consent.consentId);
    expect(landed.searchParams.get("state")).toBe("passport-state-42");
    grantedId = consent.consentId;
    expect(consumerApp.received.at(-1)?.toString()).toBe(landed.toString());
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Back at the application");

    const answer = await check();
    expect(answer.status).toBe("covered");
    expect(answer.missing).toEqual([]);
    for (const field of answer.covered) expect(field.consentIds).toEqual([consent.consentId]);
    const stored = await getConsent(consent.consentId);
    expect(stored.status).toBe("ACTIVE");
    expect(Date.parse(stored.expiresAt ?? "") - Date.parse(stored.grantedAt ?? "")).toBe(30 * 86_400_000);
    expect(stored.history?.map((h) => [h.from, h.to, h.actor])).toEqual([
      [null, "PENDING", "consumer:passport-app"],
      ["PENDING", "ACTIVE", "citizen:199012345678"],
    ]);

    // The same form again: refused as a replay, nothing changes.
    const replay = await postForm(page, `/consent/${consent.consentId}`, {
      token: formToken ?? "",
      decision: "reject",
      durationDays: "7",
    });
    expect(replay.status()).toBe(409);
    expect(await replay.text()).toContain("already submitted");
    expect((await getConsent(consent.consentId)).status).toBe("ACTIVE");
  });

  it("Who saw my data: the application's request and its read after the grant, in plain language (keyboard)", async () => {
    const consent = await getConsent(grantedId);
    const read = [
      { provider: "registry", field: "Person.fullName" },
      { provider: "drp", field: "Person.permanentAddress" },
    ];
    // What the gateway's audit trail holds after the consumer's query, the grant and its retry.
    const about = { consumer: "passport-app", purpose: "passport-application", fields: read };
    audit.record(consent.citizenId, { ...about, id: "evt-asked", at: consent.createdAt, decision: "consent_required", consentIds: [] });
    audit.record(consent.citizenId, { ...about, id: "evt-read", at: new Date().toISOString(), decision: "permit", consentIds: [grantedId] });
    audit.record("198503150123", { ...about, id: "evt-someone-else", at: new Date().toISOString(), decision: "permit", consentIds: [] });

    await page.goto(`${system.portalUrl}/my/consents`);
    const link = page.getByRole("link", { name: "Who saw my data" });
    await link.focus();
    await Promise.all([page.waitForURL(/\/my\/accesses$/), page.keyboard.press("Enter")]);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Who saw my data");

    const records = page.locator("ol.accesses > li");
    expect(await records.count()).toBe(2);
    const newest = (await records.nth(0).textContent()) ?? "";
    for (const text of [
      "Department of Immigration and Emigration — Passport Application",
      "Read your information",
      "To process your passport application",
      "From the Registrar General's Department (civil registry)",
      "Full name",
      "From the Department of Registration of Persons",
      "Permanent address",
    ]) {
      expect(newest).toContain(text);
    }
    expect(await records.nth(1).textContent()).toContain("Asked for your consent");
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).not.toContain("Person.permanentAddress");
    expect(main).not.toContain("passport-app");
    expect(audit.requests.length).toBeGreaterThan(0);
    expect(audit.requests.every((r) => r.nic === consent.citizenId && r.authorized)).toBe(true);
    expect(await page.locator('header nav a[aria-current="page"]').textContent()).toBe("Who saw my data");
    console.log(`Who saw my data screenshot: ${await screenshot(page, "who-accessed")}`);
  });

  it("denies: back to the consumer with status=rejected, nothing granted", async () => {
    const consent = await openRequest({ ...passportRequest, fields: [{ provider: "drp", field: "Person.profession" }] });
    await page.goto(consentLink(consent, passportRedirect, "deny-state"));
    // Still signed in from the previous test: straight to the question.
    await page.getByRole("button", { name: "Deny" }).waitFor();
    expect(await page.locator("main").textContent()).toContain("Profession");
    await Promise.all([page.waitForURL(/^http:\/\/localhost:5173\/callback/), page.getByRole("button", { name: "Deny" }).click()]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get("status")).toBe("rejected");
    expect(landed.searchParams.get("state")).toBe("deny-state");
    expect(landed.searchParams.get("consent_id")).toBe(consent.consentId);
    expect((await getConsent(consent.consentId)).status).toBe("REJECTED");
    expect((await check([{ provider: "drp", field: "Person.profession" }])).status).toBe("missing");
    // Answering again is refused.
    await page.goto(consent.consentUrl);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("already answered");
  });

  it("revokes from My consents; the check answers missing at once; a replayed Revoke changes nothing", async () => {
    const before = await check();
    expect(before.status).toBe("covered");
    await page.goto(`${system.portalUrl}/my/consents`);
    const active = page.locator("section", { has: page.getByRole("heading", { name: "Active" }) });
    expect(await active.locator("article").count()).toBe(1);
    const past = page.locator("section", { has: page.getByRole("heading", { name: "Past" }) });
    expect(await past.textContent()).toContain("You refused");
    console.log(`My consents screenshot: ${await screenshot(page, "my-consents")}`);
    const token = (await active.locator('form[action$="/revoke"] input[name="token"]').getAttribute("value")) ?? "";
    const waited = system.api(`/v1/revision?after=${before.revision}&waitSeconds=10`);
    await Promise.all([page.waitForURL(/notice=revoked/), active.getByRole("button", { name: /Revoke consent for/ }).click()]);
    expect(await page.getByRole("status").textContent()).toContain("revoked");
    const after = await check();
    expect(after.status).toBe("missing");
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(((await (await waited).json()) as { revision: number }).revision).toBe(after.revision);
    expect((await getConsent(grantedId)).status).toBe("REVOKED");

    const replay = await postForm(page, `/my/consents/${grantedId}/revoke`, { token });
    expect(replay.status()).toBe(409);
    expect((await getConsent(grantedId)).history?.length).toBe(3);
  });

  it("signs out here and at the identity provider; My consents then asks for sign-in again", async () => {
    await page.goto(`${system.portalUrl}/my/consents`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await expect.poll(() => page.url()).toBe(`${system.portalUrl}/`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your data, your consent");
    await page.goto(`${system.portalUrl}/my/consents`);
    await page.getByLabel("NIC number or staff username").waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(system.idp.issuer).origin);
  });
});

describe("refusals", () => {
  it("a citizen cannot answer another citizen's request; nothing is recorded", async () => {
    const consent = await openRequest();
    const context = await newCitizenContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(consentLink(consent, passportRedirect, "other"));
      await signIn(page, "198503150123");
      await page.getByRole("heading", { name: "This request is for someone else" }).waitFor();
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text).toContain("Nothing has been recorded");
      expect(text).not.toContain("199012345678");
      expect(await page.getByRole("button", { name: "Allow" }).count()).toBe(0);
      // Posting an answer anyway is refused too.
      const forced = await postForm(page, `/consent/${consent.consentId}`, { token: "x".repeat(43), decision: "grant", durationDays: "7" });
      expect(forced.status()).toBe(403);
      const stored = await getConsent(consent.consentId);
      expect(stored.status).toBe("PENDING");
      expect(stored.history?.length).toBe(1);
    } finally {
      await context.close();
    }
  });

  it("a tampered redirect_uri is refused before sign-in: no redirect anywhere, nothing recorded", async () => {
    const consent = await openRequest({ ...passportRequest, fields: [{ provider: "registry", field: "Person.sex" }] });
    const context = await newCitizenContext(browser);
    try {
      const page = await context.newPage();
      for (const tampered of [
        "https://evil.example/callback",
        "http://localhost:5173/callback/../steal",
        "http://localhost:5173/callback?next=https://evil.example",
        "http://localhost:5174/callback",
      ]) {
        const response = await page.goto(consentLink(consent, tampered, "s"));
        expect(response?.status()).toBe(400);
        expect(new URL(page.url()).origin).toBe(system.portalUrl);
        expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("not safe");
      }
      expect((await getConsent(consent.consentId)).status).toBe("PENDING");
    } finally {
      await context.close();
    }
  });
});
