/**
 * The consent artefact in the portal, in a real headless Chromium against the real identity provider and engine
 * (issue 18): the terms a consumer proposed in plain words on the consent page; Pause and Resume under My consents
 * (keyboard), each holding at once for the check; a replayed Pause changing nothing; and a superseded request's page.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ConsentView } from "../../src/index.ts";
import { launchChromium, newCitizenContext, screenshot, signIn } from "../support/browser.ts";
import { passportRequest, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let browser: Browser;

beforeAll(async () => {
  [system, browser] = await Promise.all([startSystem(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

const terms = { frequency: { unit: "DAY", value: 3 }, dataLife: { unit: "MONTH", value: 6 } };

async function openRequest(body: unknown): Promise<ConsentView> {
  const response = await system.api("/v1/consent-requests", body);
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as ConsentView;
}

async function check(): Promise<CheckResult> {
  return (await (await system.api("/v1/consents/check", passportRequest)).json()) as CheckResult;
}

async function status(id: string): Promise<string> {
  return ((await (await system.api(`/v1/consents/${id}`)).json()) as ConsentView).status;
}

describe("pause and resume in Chromium", () => {
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

  it("shows the proposed terms in plain words, and grants them", async () => {
    const consent = await openRequest({ ...passportRequest, terms });
    id = consent.consentId;
    await page.goto(consent.consentUrl);
    await signIn(page, "199012345678");
    await page.getByRole("button", { name: "Allow" }).waitFor();
    const facts = (await page.locator("dl.facts").textContent()) ?? "";
    for (const words of ["To process your passport application", "Purpose code", "From when you allow it", "Up to 3 times a day", "At most 6 months after reading it"]) {
      expect(facts).toContain(words);
    }
    console.log(`consent page with terms screenshot: ${await screenshot(page, "consent-page-terms")}`);
    await Promise.all([page.waitForURL(new RegExp(`/consent/${id}`)), page.getByRole("button", { name: "Allow" }).click()]);
    expect(await status(id)).toBe("ACTIVE");
    expect((await check()).status).toBe("covered");
  });

  it("pauses from My consents (keyboard): the check says PAUSED at once; a replayed Pause changes nothing; Resume makes it usable again", async () => {
    await page.goto(`${system.portalUrl}/my/consents`);
    const active = page.locator("section", { has: page.getByRole("heading", { name: "Active" }) });
    const pauseToken = (await active.locator('form[action$="/pause"] input[name="token"]').getAttribute("value")) ?? "";
    await active.getByRole("button", { name: /^Pause consent for/ }).focus();
    await Promise.all([page.waitForURL(/notice=paused/), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").textContent()).toContain("paused");
    const paused = page.locator("section", { has: page.getByRole("heading", { name: "Paused" }) });
    expect(await paused.locator("article").count()).toBe(1);
    expect(await paused.textContent()).toContain("nobody can see this information with it until you resume it");
    expect(await active.locator("article").count()).toBe(0);
    console.log(`My consents (paused) screenshot: ${await screenshot(page, "my-consents-paused")}`);
    expect(await status(id)).toBe("PAUSED");
    expect((await check()).withheld?.map((w) => w.reason)).toEqual(passportRequest.fields.map(() => "PAUSED"));

    const replay = await page.request.post(`${system.portalUrl}/my/consents/${id}/pause`, {
      form: { token: pauseToken },
      headers: { origin: system.portalUrl },
      maxRedirects: 0,
    });
    expect(replay.status()).toBe(409);

    await paused.getByRole("button", { name: /^Resume consent for/ }).focus();
    await Promise.all([page.waitForURL(/notice=resumed/), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").textContent()).toContain("active again");
    expect(await status(id)).toBe("ACTIVE");
    expect((await check()).status).toBe("covered");
    const history = ((await (await system.api(`/v1/consents/${id}`)).json()) as ConsentView).history?.map((h) => h.to);
    expect(history).toEqual(["PENDING", "ACTIVE", "PAUSED", "ACTIVE"]);
  });

  it("opens the receipt from My consents and downloads it: the file is the consent's JSON-LD record", async () => {
    await page.goto(`${system.portalUrl}/my/consents`);
    await Promise.all([page.waitForURL(/\/receipt$/), page.getByRole("link", { name: /^Receipt/ }).first().click()]);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Consent receipt");
    expect(await page.locator("main").textContent()).toContain("Up to 3 times a day");
    console.log(`consent receipt screenshot: ${await screenshot(page, "consent-receipt")}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download it as a file/ }).click()]);
    expect(download.suggestedFilename()).toBe(`consent-receipt-${id}.jsonld`);
    const path = await download.path();
    const receipt = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      "@context": `${system.portalUrl}/contexts/consent-receipt.jsonld`,
      type: "ConsentRecord",
      identifier: id,
      dataSubject: { identifier: "199012345678" },
      consentStatus: "ConsentGiven",
      purpose: { identifier: "passport-application", storageCondition: { duration: "P6M" } },
    });
    expect((receipt["events"] as { type: string }[]).map((e) => e.type)).toEqual(["ConsentRequested", "ConsentGiven", "ConsentGiven", "ConsentGiven"]);
  });

  it("answers a request from the inbox, with no redirect: My consents says one waits, Allow records it there", async () => {
    const asked = await openRequest({ ...passportRequest, fields: passportRequest.fields.slice(0, 1), terms: { fetchType: "ONETIME" } });
    await page.goto(`${system.portalUrl}/my/consents`);
    expect(await page.locator("#waiting").textContent()).toContain("1 request waits for your answer");
    const waiting = page.locator("section", { has: page.getByRole("heading", { name: "Waiting for your answer" }) });
    await Promise.all([page.waitForURL(new RegExp(`/consent/${asked.consentId}$`)), waiting.getByRole("link", { name: "Answer this request" }).click()]);
    expect(await page.locator("dl.facts").textContent()).toContain("Once only");
    await Promise.all([page.waitForURL(new RegExp(`/consent/${asked.consentId}$`)), page.getByRole("button", { name: "Allow" }).click()]);
    expect(new URL(page.url()).origin).toBe(system.portalUrl);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("You gave your consent");
    expect(await status(asked.consentId)).toBe("ACTIVE");
  });

  it("a request replaced by a newer one says so on its page, with no Allow", async () => {
    const first = await openRequest({ ...passportRequest, fields: passportRequest.fields.slice(0, 1) });
    await openRequest({ ...passportRequest, fields: passportRequest.fields.slice(0, 2) });
    const response = await page.goto(first.consentUrl);
    expect(response?.status()).toBe(409);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This request was replaced");
    expect(await page.getByRole("button", { name: "Allow" }).count()).toBe(0);
  });
});
