/**
 * WCAG 2.2 A and AA in Chromium (issue 22): every page of the consent portal (support/portalTour.ts), in English,
 * French and Arabic, checked with axe-core (through @axe-core/playwright) for the rules tagged wcag2a, wcag2aa,
 * wcag21a, wcag21aa and wcag22aa: no violation. Each page's report is saved as JSON beside the browser tests'
 * screenshots (reports/screenshots/axe/<language>-<page>.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { repoRoot } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { languages, startPortalRig, tourPortal, type PortalRig } from "../support/portalTour.ts";

const reportsDir = resolve(repoRoot, "reports/screenshots/axe");
const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
/** A tour is 14 pages, each scanned: a limit for a machine shared with other test files, not a speed target. */
const tourTimeoutMs = 240_000;

let rig: PortalRig;
beforeAll(async () => {
  rig = await startPortalRig();
  mkdirSync(reportsDir, { recursive: true });
});
afterAll(async () => {
  await rig?.close();
});

describe("every portal page meets WCAG 2.2 AA (axe-core)", () => {
  it.each(languages)("in %s", async (language) => {
    const checked: string[] = [];
    const violations: string[] = [];
    await tourPortal(rig, { locale: language, extraHTTPHeaders: { "accept-language": language }, bypassCSP: true }, async (name, page) => {
      expect(await page.locator("html").getAttribute("lang")).toBe(language);
      const results = await new AxeBuilder({ page }).withTags(tags).analyze();
      writeFileSync(resolve(reportsDir, `${language}-${name}.json`), JSON.stringify(results, null, 2));
      checked.push(name);
      for (const v of results.violations) violations.push(`${name}: ${v.id} (${v.impact ?? "?"}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
    expect(violations).toEqual([]);
    expect(checked).toEqual([
      "home",
      "sign-in",
      "consent-question",
      "answer-confirmation",
      "already-answered",
      "my-consents",
      "paused-notice",
      "receipt",
      "who-saw-my-data",
      "use-log",
      "replaced-request",
      "expired-request",
      "error-not-found",
      "error-bad-link",
      "error-unknown-language",
    ]);
  }, tourTimeoutMs);
});
