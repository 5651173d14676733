/**
 * Headless Chromium for the console's tests: Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium) driven by
 * playwright-core, never a downloaded browser. Each person gets a fresh context (their own cookies). Screenshots go
 * to console/screenshots/, where the README shows them.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const screenshotsDir = resolve(import.meta.dirname, "../../../screenshots");

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface PersonOptions {
  /** The viewport's width in CSS px. @default 1280 */
  readonly width?: number;
  /** What the browser says of `prefers-reduced-motion`. @default "no-preference" */
  readonly reducedMotion?: "reduce" | "no-preference";
}

export async function newPerson(browser: Browser, options: PersonOptions = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, reducedMotion: options.reducedMotion ?? "no-preference" });
  const page = await context.newPage();
  // Anything the page's scripts or its CSP complain about fails the test that looks at `problems`.
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => void problems.push(e.message));
  return { context, page, problems };
}

/** Signs in on the identity provider's page (the page must be showing it). */
export async function signInAtProvider(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("NIC number or staff username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const file = resolve(screenshotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
