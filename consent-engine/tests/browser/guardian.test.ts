/**
 * Guardian consent in a real headless Chromium (issue 18 item 9), against the real identity provider, the engine and
 * the real registry over HTTP: Josephine Kalumba Phiri, named guardian of her daughter Chipo (born 2014) in the
 * households register, signs in, finds Chipo's request in her inbox labelled as her child's, reads that she answers on
 * Chipo's behalf, allows — the engine's check then covers Chipo's fields — and downloads the receipt, which names
 * Chipo as the PII principal and Josephine as the guardian who gave the consent. Samuel Bwalya Tembo, an adult of the
 * same household who is not her guardian, is refused at the same request as anyone else would be; Chipo herself is
 * told that a guardian answers for her. Screenshot `guardian-consent-page.png`.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ConsentView } from "../../src/index.ts";
import { launchChromium, newCitizenContext, screenshot, signIn } from "../support/browser.ts";
import { startRealRegistry, type RealRegistry } from "../support/realRegistry.ts";
import { passportRequest, startSystem, type TestSystem } from "../support/system.ts";

const chipo = "201405090231";
const josephine = "198503150123";
const samuel = "197712240099";
const forChipo = { ...passportRequest, citizenId: chipo };

let registry: RealRegistry;
let system: TestSystem;
let browser: Browser;

beforeAll(async () => {
  registry = await startRealRegistry();
  [system, browser] = await Promise.all([startSystem({ engine: { guardianship: { source: registry.client() } } }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await registry?.close();
});

async function openRequest(body: unknown): Promise<ConsentView> {
  const response = await system.api("/v1/consent-requests", body);
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as ConsentView;
}
const stored = async (id: string) => (await (await system.api(`/v1/consents/${id}`)).json()) as ConsentView;
const check = async () => (await (await system.api("/v1/consents/check", forChipo)).json()) as CheckResult;

describe("a guardian answers for their child in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  let id: string;

  beforeAll(async () => {
    context = await newCitizenContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context.close();
  });

  it("finds the child's request in the inbox, labelled, answers it on the child's behalf, and the check covers it", async () => {
    id = (await openRequest(forChipo)).consentId;
    await page.goto(`${system.portalUrl}/my/consents`);
    await signIn(page, josephine);
    await page.waitForURL(/\/my\/consents/);
    const waiting = page.locator("section", { has: page.getByRole("heading", { name: "Waiting for your answer" }) });
    expect(await waiting.textContent()).toContain("For Chipo, your child");
    await Promise.all([page.waitForURL(new RegExp(`/consent/${id}`)), waiting.locator(`a[href="/consent/${id}"]`).click()]);
    await page.getByRole("heading", { name: "You are answering for Chipo, your child" }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toMatch(/asks to see some of Chipo’s information$/);
    expect(await page.locator("main").textContent()).toContain("as their guardian (household HH-IB-000412)");
    console.log(`guardian consent page screenshot: ${await screenshot(page, "guardian-consent-page")}`);
    expect((await check()).status).not.toBe("covered");
    await Promise.all([page.waitForURL(new RegExp(`/consent/${id}`)), page.getByRole("button", { name: "Allow" }).click()]);
    const consent = await stored(id);
    expect(consent).toMatchObject({ status: "ACTIVE", citizenId: chipo, decidedBy: { nic: josephine, role: "guardian", basis: "guardian per household HH-IB-000412" } });
    expect((await check()).status).toBe("covered");
  });

  it("downloads the child's receipt: Chipo the PII principal, Josephine the guardian who gave the consent", async () => {
    await page.goto(`${system.portalUrl}/my/consents`);
    const active = page.locator("section", { has: page.getByRole("heading", { name: "Active" }) });
    expect(await active.textContent()).toContain("For Chipo, your child");
    await Promise.all([page.waitForURL(/\/receipt$/), active.getByRole("link", { name: /^Receipt/ }).first().click()]);
    expect(await page.locator("main").textContent()).toContain(`The guardian with NIC ${josephine}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download it as a file/ }).click()]);
    const receipt = JSON.parse(readFileSync(await download.path(), "utf8")) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      identifier: id,
      dataSubject: { identifier: chipo },
      consentStatus: "ConsentGiven",
      indicatedBy: { id: `urn:ndx:citizen:${josephine}`, type: "GuardianOfDataSubject", identifier: josephine, basis: "guardian per household HH-IB-000412" },
    });
  });
});

describe("nobody else answers for the child", () => {
  for (const [who, nic, heading] of [
    ["an adult of the same household who is not her guardian", samuel, "This request is for someone else"],
    ["the child herself", chipo, "A guardian answers for you"],
  ] as const) {
    it(`refuses ${who}, and records nothing`, async () => {
      const consent = await openRequest({ ...forChipo, fields: passportRequest.fields.slice(0, 2) });
      const context = await newCitizenContext(browser);
      try {
        const page = await context.newPage();
        await page.goto(consent.consentUrl);
        await signIn(page, nic);
        await page.getByRole("heading", { name: heading }).waitFor();
        expect(await page.getByRole("button", { name: "Allow" }).count()).toBe(0);
        if (nic === samuel) expect(await page.locator("main").textContent()).not.toContain("Chipo");
        const after = await stored(consent.consentId);
        expect(after.status).toBe("PENDING");
        expect(after.history).toHaveLength(1);
      } finally {
        await context.close();
      }
    });
  }
});
