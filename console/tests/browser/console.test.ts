/**
 * The admin console in a real headless Chromium against the real parts (identity provider, exchange subgraph,
 * consent engine, gateway; tests/browser/support/realSystem.ts), as the people of issue 16 would use it: the
 * exchange administrator registers a member; its member administrator registers an application and sees its secret
 * once (and the secret gets a token at the identity provider), then requests DRP and DMT fields; the DRP and DMT data
 * owners approve their parts; the exchange administrator approves and sees the grants with their end dates; the
 * charts page draws the audit summary with the same figures in its tables. Screenshots go to console/screenshots/.
 */
import { loadExchangeSeed } from "@ndx/fixtures";
import { clientCredentialsToken } from "@ndx/platform/dev";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionCookies } from "../../src/index.ts";
import { launchChromium, newPerson, screenshot, signInAtProvider } from "./support/browser.ts";
import { audience, sessionSecret, startRealSystem, type RealSystem } from "./support/realSystem.ts";

const passwords = Object.fromEntries(loadExchangeSeed().users.map((u) => [u.username, u.password]));
let system: RealSystem;
let browser: Browser;

beforeAll(async () => {
  [system, browser] = await Promise.all([startRealSystem(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

/** A person signed in to the console, on `path`. */
async function signedIn(username: string, path: string): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPerson(browser);
  await page.goto(`${system.consoleUrl}${path}`);
  expect(new URL(page.url()).origin).toBe(new URL(system.idp.issuer).origin);
  await signInAtProvider(page, username, passwords[username] ?? "");
  await page.waitForURL(`${system.consoleUrl}${path}`);
  return { page, problems };
}

const main = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe("the admin console in Chromium", () => {
  let admin: Page;
  let memberAdmin: Page;
  let applicationId = "";
  let requestUrl = "";

  it("the exchange administrator registers a member with its member administrator", async () => {
    ({ page: admin } = await signedIn("exchange.admin", "/members"));
    expect(await admin.getByRole("heading", { level: 1 }).textContent()).toBe("Members");
    expect(await main(admin)).toContain("Department of Registration of Persons");
    await admin.getByRole("link", { name: "Register a member" }).click();
    await admin.getByLabel("Code").fill("MOH");
    await admin.getByLabel("Name", { exact: true }).fill("Ministry of Health");
    await admin.getByLabel("Contact e-mail").fill("exchange@health.farajaland.example");
    await admin.getByLabel("Username 1").fill("health.admin");
    await admin.getByLabel("Role 1").selectOption("MEMBER_ADMIN");
    await Promise.all([admin.waitForURL(/\/members\/MOH/), admin.getByRole("button", { name: "Register member" }).click()]);
    expect(await main(admin)).toContain("The member was registered.");
    expect(await main(admin)).toContain("health.admin — member administrator");
    await admin.goto(`${system.consoleUrl}/members`);
    console.log(`members screenshot: ${await screenshot(admin, "members")}`);
  });
});
