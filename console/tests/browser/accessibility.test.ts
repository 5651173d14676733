/**
 * The admin console meets WCAG 2.2 AA (issue 22), in Chromium against the real parts (support/realSystem.ts):
 * every page scanned with axe-core at A and AA (report: console/screenshots/accessibility.json); at 320 CSS px no page
 * scrolls sideways (wide tables scroll inside a focusable, labelled region); the charts have their figures' tables
 * as text alternatives, series told apart by more than colour, and no animation when reduced motion is asked for.
 * The keyboard test (keyboard.test.ts) registers an application by keyboard alone.
 */
import { loadExchangeSeed } from "@ndx/fixtures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessibilityScanner, pastTheEdge, sidewaysOverflow } from "./support/accessibility.ts";
import { launchChromium, newPerson, screenshot, signInAtProvider } from "./support/browser.ts";
import { startRealSystem, type RealSystem } from "./support/realSystem.ts";

const passwords = Object.fromEntries(loadExchangeSeed().users.map((u) => [u.username, u.password]));
const scanner = createAccessibilityScanner();
let system: RealSystem;
let browser: Browser;

beforeAll(async () => {
  [system, browser] = await Promise.all([startRealSystem(), launchChromium()]);
});
afterAll(async () => {
  console.log(`accessibility report: ${scanner.write()}`);
  await browser?.close();
  await system?.close();
});

async function signedIn(username: string, path: string, options: { width?: number; reducedMotion?: "reduce" | "no-preference" } = {}): Promise<Page> {
  const { page } = await newPerson(browser, options);
  await page.goto(`${system.consoleUrl}${path}`);
  await signInAtProvider(page, username, passwords[username] ?? "");
  await page.waitForURL(`${system.consoleUrl}${path}`);
  return page;
}

/** Lines of the page's ARIA snapshot (what Chromium exposes) that show a control without an accessible name. */
const unnamedControls = async (page: Page): Promise<string[]> =>
  (await page.locator("body").ariaSnapshot())
    .split("\n")
    .filter((line) => /^\s*- (textbox|button|combobox|link|checkbox|spinbutton|radio|region|img)\s*(\[.*\])?:?\s*$/.test(line));

/** Scans the page the person is on: no violation may be found, and every control and region has a name. */
async function clean(page: Page, name: string): Promise<void> {
  const report = await scanner.scan(page, name);
  expect({ name, violations: report.violations, unnamed: await unnamedControls(page) }).toEqual({ name, violations: [], unnamed: [] });
}

describe("the console's pages at WCAG 2.2 A and AA", () => {
  let admin: Page;
  let memberAdmin: Page;
  let requestPath = "";

  it("the start page, the sign-in problems and pages that are not there", async () => {
    const { page } = await newPerson(browser);
    await page.goto(`${system.consoleUrl}/`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await clean(page, "start (signed out)");
    await page.goto(`${system.consoleUrl}/auth/callback?code=x&state=y`);
    await clean(page, "sign-in could not be completed");
    await page.goto(`${system.consoleUrl}/no-such-page`);
    await clean(page, "not found");
    // The hand-off: "Sign in" leads to the identity provider's page (the development provider's; not the console's).
    await page.goto(`${system.consoleUrl}/`);
    await Promise.all([page.waitForURL((u) => u.origin === new URL(system.idp.issuer).origin), page.getByRole("link", { name: "Sign in" }).click()]);
    await clean(page, "identity provider's sign-in (hand-off)");
    await page.context().close();
  });

  it("the exchange administrator's pages: members, a member, applications, an application, grants, charts", async () => {
    admin = await signedIn("exchange.admin", "/members");
    for (const [path, name] of [
      ["/members", "members"],
      ["/members/new", "register a member"],
      ["/members/DRP", "member detail"],
      ["/applications", "applications"],
      ["/applications/passport-app", "application detail"],
      ["/applications/no-such-app", "application not found"],
      ["/grants", "grants"],
      ["/grants?application=benefits-app", "grants of an application"],
      ["/requests", "grant requests"],
      ["/reviews", "my reviews (exchange)"],
    ] as const) {
      await admin.goto(`${system.consoleUrl}${path}`);
      await clean(admin, name);
    }
    await admin.goto(`${system.consoleUrl}/charts`);
    for (const id of ["requests", "decisions", "consent"]) await admin.locator(`canvas#${id}-chart[data-drawn="true"]`).waitFor();
    await clean(admin, "charts");
  });

  it("a member administrator's pages: the registration form, its refusal, the secret shown once, a field request", async () => {
    memberAdmin = await signedIn("immigration.admin", "/applications/new?member=DIE");
    await clean(memberAdmin, "register an application");
    await memberAdmin.getByLabel("Name", { exact: true }).fill("Border checks");
    await memberAdmin.getByLabel("What a citizen reads about it").fill("The border post checks who you are.");
    await memberAdmin.getByLabel("Redirect URIs").fill("https://border.example/cb#fragment");
    await memberAdmin.getByLabel("Code", { exact: true }).first().fill("border-check");
    await memberAdmin.getByLabel("What citizens read").first().fill("To check who you are at the border");
    await memberAdmin.getByLabel("Legal basis").first().fill("Immigration Act, s. 3");
    await memberAdmin.getByRole("button", { name: "Register application" }).click();
    await memberAdmin.locator(".problem").waitFor();
    await clean(memberAdmin, "registration refused (BAD_USER_INPUT)");
    await memberAdmin.getByLabel("Redirect URIs").fill("https://border.example/cb");
    await memberAdmin.getByRole("button", { name: "Register application" }).click();
    await memberAdmin.getByRole("heading", { name: "The application is registered" }).waitFor();
    await clean(memberAdmin, "the secret, shown once");
    const id = (await memberAdmin.locator("#client-id").textContent()) ?? "";
    await memberAdmin.goto(`${system.consoleUrl}/applications/${encodeURIComponent(id)}`);
    await clean(memberAdmin, "application detail (its member's administrator: translations form)");

    await memberAdmin.goto(`${system.consoleUrl}/applications/${encodeURIComponent(id)}/request`);
    await clean(memberAdmin, "request fields");
    await memberAdmin.locator('input[value="drp|Person.permanentAddress"]').check();
    await memberAdmin.getByLabel("Why the application needs them").fill("To confirm the traveller's address.");
    await Promise.all([memberAdmin.waitForURL(/\/requests\/[^/?]+\?notice=sent$/), memberAdmin.getByRole("button", { name: "Send the request" }).click()]);
    requestPath = new URL(memberAdmin.url()).pathname;
    await clean(memberAdmin, "grant request sent");

    // What the policy refuses a member administrator: registering a member.
    await memberAdmin.goto(`${system.consoleUrl}/members/new`);
    await memberAdmin.getByLabel("Code").fill("XYZ");
    await memberAdmin.getByLabel("Name", { exact: true }).fill("Not allowed");
    await memberAdmin.getByLabel("Contact e-mail").fill("x@example.org");
    await memberAdmin.getByRole("button", { name: "Register member" }).click();
    await memberAdmin.locator(".problem .code").waitFor();
    expect(await memberAdmin.locator(".problem .code").textContent()).toBe("FORBIDDEN");
    await clean(memberAdmin, "forbidden");
  });

  it("a data owner's review and the exchange's decision", async () => {
    const owner = await signedIn("drp.owner", "/reviews");
    await clean(owner, "my reviews (data owner)");
    await owner.goto(`${system.consoleUrl}${requestPath}`);
    await clean(owner, "a request under the data owner's review");
    await Promise.all([owner.waitForURL(/notice=answered/), owner.getByRole("button", { name: "Approve the drp part" }).click()]);
    await owner.context().close();
    await admin.goto(`${system.consoleUrl}${requestPath}`);
    await clean(admin, "a request under the exchange's review");
  });

  it("reflows at 320 CSS px: no page scrolls sideways; wide tables scroll in a focusable, labelled region", async () => {
    const narrow = await signedIn("exchange.admin", "/charts", { width: 320 });
    for (const path of ["/charts", "/members", "/members/DRP", "/applications", "/applications/passport-app", "/grants", "/requests", requestPath, "/applications/new"]) {
      await narrow.goto(`${system.consoleUrl}${path}`);
      const overflow = await sidewaysOverflow(narrow);
      expect({ path, overflow, past: overflow === 0 ? [] : await pastTheEdge(narrow) }).toEqual({ path, overflow: 0, past: [] });
    }
    await narrow.goto(`${system.consoleUrl}/charts`);
    await narrow.locator('canvas#decisions-chart[data-drawn="true"]').waitFor();
    const region = narrow.locator(".table-scroll").filter({ has: narrow.locator("#decisions-table") });
    expect(await region.getAttribute("role")).toBe("region");
    expect(await region.getAttribute("tabindex")).toBe("0");
    expect(await region.getAttribute("aria-labelledby")).toBe("decisions-table-caption");
    // The region scrolls by keyboard: focused, the right arrow moves it.
    await region.focus();
    await narrow.keyboard.press("ArrowRight");
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await clean(narrow, "charts at 320 px");
    console.log(`narrow charts screenshot: ${await screenshot(narrow, "charts-320px")}`);
    await narrow.context().close();
  });

  it("charts: the figures' table is the chart's text alternative, series differ by pattern too, no animation under reduced motion", async () => {
    const page = await signedIn("exchange.admin", "/charts", { reducedMotion: "reduce" });
    for (const id of ["requests", "decisions", "consent"]) {
      const canvas = page.locator(`canvas#${id}-chart`);
      await page.locator(`canvas#${id}-chart[data-drawn="true"]`).waitFor();
      expect(await canvas.getAttribute("role")).toBe("img");
      // Described by its table's caption, so the alternative is named where the chart is.
      expect(await canvas.getAttribute("aria-describedby")).toBe(`${id}-table-caption`);
      expect(await page.locator(`#${id}-table-caption`).textContent()).toContain("per day (UTC)");
      const chart = await canvas.evaluate((el) => {
        const drawn = (el as unknown as { chart: { options: { animation: unknown }; data: { datasets: { backgroundColor: unknown }[] } } }).chart;
        return {
          animation: drawn.options.animation,
          patterned: drawn.data.datasets.map((d) => typeof d.backgroundColor === "object" && d.backgroundColor !== null && d.backgroundColor.constructor.name === "CanvasPattern"),
        };
      });
      expect(chart.animation).toBe(false);
      expect(chart.patterned.every(Boolean)).toBe(true);
    }
    await page.context().close();
    const moving = await signedIn("exchange.admin", "/charts", { reducedMotion: "no-preference" });
    await moving.locator('canvas#decisions-chart[data-drawn="true"]').waitFor();
    const animation = await moving.locator("canvas#decisions-chart").evaluate((el) => (el as unknown as { chart: { options: { animation: unknown } } }).chart.options.animation);
    expect(animation).not.toBe(false);
    await moving.context().close();
  });
});
