/**
 * Reflow (WCAG 1.4.10, issue 22): every portal page (support/portalTour.ts) at 320 CSS px wide — in English and in
 * Arabic (right to left) — and at 1280 px shown at 400 % (320 CSS px at 4 device pixels each) scrolls only
 * vertically: nothing is wider than the viewport (`scrollWidth <= clientWidth`, for the document and every element
 * that is not meant to scroll), and no text is squeezed into a sliver. Screenshots at 320 px are saved (reports/screenshots/reflow-320-<language>-<page>.png).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "../support/browser.ts";
import { startPortalRig, tourPortal, type PortalRig } from "../support/portalTour.ts";

/** A tour is 14 pages: a limit for a machine shared with other test files, not a speed target. */
const tourTimeoutMs = 180_000;

let rig: PortalRig;
beforeAll(async () => {
  rig = await startPortalRig();
});
afterAll(async () => {
  await rig?.close();
});

/** The document's width against the viewport's, and any element wider than the page (what would scroll sideways). */
async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5 || el.getBoundingClientRect().left < -0.5)
      .filter((el) => !el.closest(".skip, .visually-hidden"))
      .map((el) => `${el.tagName.toLowerCase()}${el.className === "" ? "" : `.${String(el.className).split(" ").join(".")}`}`);
    // Text squeezed into a sliver (a word or less a line) is not reflow either.
    const squeezed = [...document.body.querySelectorAll("h1, h2, h3, h4, p, caption, li, dt, dd, th, td, label, legend, a, button")]
      .filter((el) => (el.textContent ?? "").trim().length > 20 && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().width < 64)
      .filter((el) => !el.closest(".skip, .visually-hidden") && el.querySelector(".visually-hidden") === null)
      .map((el) => `${el.tagName.toLowerCase()} squeezed`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: [...wide, ...squeezed] };
  });
}

describe("pages reflow without horizontal scrolling", () => {
  it.each(["en", "ar"] as const)("at 320 CSS px in %s", async (language) => {
    const seen: string[] = [];
    const problems: string[] = [];
    await tourPortal(rig, { viewport: { width: 320, height: 640 }, locale: language, extraHTTPHeaders: { "accept-language": language } }, async (name, page) => {
      const { scrollWidth, clientWidth, wide } = await horizontalOverflow(page);
      expect(clientWidth).toBe(320);
      if (scrollWidth > clientWidth || wide.length > 0) problems.push(`${name}: ${scrollWidth} > ${clientWidth} (${wide.join(", ")})`);
      await screenshot(page, `reflow-320-${language}-${name}`);
      seen.push(name);
    });
    expect(problems).toEqual([]);
    expect(seen).toHaveLength(15);
  }, tourTimeoutMs);

  it("at 1280 px zoomed to 400 %", async () => {
    const problems: string[] = [];
    let pages = 0;
    await tourPortal(rig, { viewport: { width: 320, height: 256 }, deviceScaleFactor: 4 }, async (name, page) => {
      const { scrollWidth, clientWidth, wide } = await horizontalOverflow(page);
      if (scrollWidth > clientWidth || wide.length > 0) problems.push(`${name}: ${scrollWidth} > ${clientWidth} (${wide.join(", ")})`);
      pages++;
    });
    expect(problems).toEqual([]);
    expect(pages).toBe(15);
  }, tourTimeoutMs);
});
