/**
 * The console's pages checked against WCAG 2.2 A and AA with axe-core (@axe-core/playwright on the same Chromium),
 * and for reflow: at 320 CSS px wide nothing makes the page itself scroll sideways. Every scan's result is kept and
 * written as one JSON report beside the screenshots (console/screenshots/accessibility.json): per page its path, the
 * violations axe found (none is the goal) and how many rules passed or need a person's review.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] as const;

export interface PageReport {
  readonly name: string;
  readonly path: string;
  readonly violations: readonly { id: string; impact: string | null | undefined; help: string; targets: string[] }[];
  readonly passes: number;
  readonly incomplete: readonly string[];
}

/** Scans pages with axe and keeps their reports for {@link writeReport}. */
export function createAccessibilityScanner() {
  const reports: PageReport[] = [];
  return {
    reports,
    /** axe's WCAG 2.2 A/AA run on the page as it is now. */
    async scan(page: Page, name: string): Promise<PageReport> {
      const results = await new AxeBuilder({ page }).withTags([...wcagTags]).analyze();
      const report: PageReport = {
        name,
        path: new URL(page.url()).pathname + new URL(page.url()).search,
        violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })),
        passes: results.passes.length,
        incomplete: results.incomplete.map((i) => i.id),
      };
      reports.push(report);
      return report;
    },
    /** Writes every report so far to console/screenshots/accessibility.json. */
    write(): string {
      const dir = resolve(import.meta.dirname, "../../../screenshots");
      mkdirSync(dir, { recursive: true });
      const file = resolve(dir, "accessibility.json");
      writeFileSync(file, `${JSON.stringify({ standard: "WCAG 2.2 A and AA (axe-core tags)", tags: wcagTags, pages: reports }, null, 2)}\n`);
      return file;
    },
  };
}

/** How far the page itself scrolls sideways (0: it reflows). Regions that scroll inside it do not count. */
export const sidewaysOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The elements that reach past the right edge of the viewport (to say what breaks reflow), at most five. */
export const pastTheEdge = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && el.closest(".table-scroll") === null)
      .slice(-5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id === "" ? "" : `#${el.id}`}.${[...el.classList].join(".")} (${Math.round(el.getBoundingClientRect().right)}px)`);
  });
