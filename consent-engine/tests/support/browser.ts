/**
 * Headless Chromium for the portal tests: Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium) driven by
 * playwright-core. Never downloads a browser. Each context is a fresh, isolated profile (its own cookies).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { repoRoot } from "@ndx/platform";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const screenshotsDir = resolve(repoRoot, "reports/screenshots");

/** @param hostRules Chromium --host-rules (e.g. to reach a stand-in consumer app at its registered URI). */
export async function launchChromium(hostRules?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(hostRules === undefined ? [] : [`--host-rules=${hostRules}`]),
    ],
  });
}

/** A fresh, isolated browser context (its own cookies): one per citizen. */
export async function newCitizenContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1000, height: 900 } });
}

/**
 * Signs in on the identity provider's page (the page must be showing it), in whichever language the portal asked
 * it for: its fields by id, its submit button by its place in the form.
 */
export async function signIn(page: Page, username: string, password = "farajaland"): Promise<void> {
  await page.locator("input#username").fill(username);
  await page.locator("input#password").fill(password);
  await page.locator("form button.primary[type=submit]").click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const file = resolve(screenshotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
