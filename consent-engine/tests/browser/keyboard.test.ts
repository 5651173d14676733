/**
 * The consent flow with the keyboard alone, in Chromium (issue 22): a skip link first, Tab and Shift-Tab in reading
 * order, Enter and Space, a visible focus ring (computed outline at least 3 px, at least 3:1 against what surrounds it)
 * on everything focused, no keyboard trap — sign in, allow, revoke it, open Who saw my data. And the consent page as
 * Chromium's accessibility tree gives it to a screen reader: who asks, the fields, the duration and what Allow and Deny
 * each do, in that order, before the buttons, every control named.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { citizen, startPortalRig, type PortalRig } from "../support/portalTour.ts";
import { passportRequest } from "../support/system.ts";

let rig: PortalRig;
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  rig = await startPortalRig();
  context = await rig.browser.newContext({ viewport: { width: 1000, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await rig?.close();
});

interface Focused {
  readonly tag: string;
  readonly name: string;
  readonly id: string;
  readonly outlineStyle: string;
  readonly outlineWidth: number;
  /** Contrast of the outline's colour against the background around the element. */
  readonly outlineContrast: number;
}

/** What has the focus now: its name as the page gives it, and its focus ring as Chromium draws it. */
async function focused(p: Page): Promise<Focused> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    let around: Element | null = el.parentElement;
    let background = "rgb(255, 255, 255)";
    while (around !== null) {
      const bg = getComputedStyle(around).backgroundColor;
      if (bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0")) {
        background = bg;
        break;
      }
      around = around.parentElement;
    }
    const style = getComputedStyle(el);
    const [l1, l2] = [luminance(rgb(style.outlineColor)), luminance(rgb(background))].sort((a, b) => b - a);
    const name = el.getAttribute("aria-label") ?? (el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? (el.labels?.[0]?.textContent ?? "") : (el.textContent ?? ""));
    return {
      tag: el.tagName.toLowerCase(),
      name: name.replace(/\s+/g, " ").trim(),
      id: el.id,
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      outlineContrast: ((l1 ?? 0) + 0.05) / ((l2 ?? 0) + 0.05),
    };
  });
}

function expectVisibleFocus(f: Focused): void {
  expect(f.outlineStyle, `${f.tag} "${f.name}"`).not.toBe("none");
  expect(f.outlineWidth, `${f.tag} "${f.name}"`).toBeGreaterThanOrEqual(3);
  expect(f.outlineContrast, `${f.tag} "${f.name}"`).toBeGreaterThanOrEqual(3);
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; every stop is returned, each with a visible ring. */
async function tabTo(p: Page, name: RegExp, options: { back?: boolean; max?: number; ours?: boolean } = {}): Promise<Focused[]> {
  const stops: Focused[] = [];
  const start = await focused(p);
  if (options.back !== true && name.test(start.name) && start.tag !== "body") return stops; // already there (autofocus)
  for (let i = 0; i < (options.max ?? 40); i++) {
    await p.keyboard.press(options.back === true ? "Shift+Tab" : "Tab");
    const now = await focused(p);
    if (options.ours !== false) expectVisibleFocus(now);
    stops.push(now);
    if (name.test(now.name)) return stops;
  }
  throw new Error(`no focusable element named ${name} within ${options.max ?? 40} presses: ${stops.map((s) => s.name).join(" | ")}`);
}

describe("the consent flow by keyboard alone", () => {
  it("signs in, allows, revokes and opens Who saw my data without a mouse", async () => {
    const consent = await rig.openRequest(passportRequest);
    await page.goto(consent.consentUrl);
    // The identity provider's sign-in form, by keyboard (its page is not the portal's: its focus style is its own).
    await tabTo(page, /NIC number or staff username/, { ours: false });
    await page.keyboard.type(citizen);
    await tabTo(page, /Password/, { ours: false });
    await page.keyboard.type("farajaland");
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/consent/${consent.consentId}`));
    await page.locator("main h1").waitFor();

    // First stop: the skip link; Enter moves the focus to the main content.
    await page.keyboard.press("Tab");
    const skip = await focused(page);
    expect(skip.name).toBe("Skip to main content");
    expectVisibleFocus(skip);
    await page.keyboard.press("Enter");
    expect((await focused(page)).id).toBe("main");

    // From the main content: the duration, then Allow, then Deny — nothing else in between.
    const stops = await tabTo(page, /^Deny/);
    expect(stops.map((s) => s.name)).toEqual([
      "For how long",
      `Allow ${"Department of Immigration and Emigration — Passport Application"} to see this information`,
      `Deny: ${"Department of Immigration and Emigration — Passport Application"} will not see this information`,
    ]);
    // Shift+Tab goes back the same way.
    expect((await tabTo(page, /^For how long/, { back: true })).map((s) => s.tag)).toEqual(["button", "select"]);
    await page.keyboard.press("ArrowDown"); // 7 days -> 30 days, without opening the list
    expect(await page.locator("#durationDays").inputValue()).toBe("30");

    // Space on Allow answers.
    await tabTo(page, /^Allow/);
    await page.keyboard.press("Space");
    await page.locator("main h1", { hasText: "You gave your consent" }).waitFor();
    const granted = (await (await rig.system.api(`/v1/consent-requests/${consent.consentId}`)).json()) as { status: string; grantedAt: string; expiresAt: string };
    expect(granted.status).toBe("ACTIVE");
    expect(Date.parse(granted.expiresAt) - Date.parse(granted.grantedAt)).toBe(30 * 86_400_000);

    // No trap: Tab walks through every control of the page and leaves it.
    const all = await page.locator("a[href], button, select, input:not([type=hidden])").count();
    const walked: string[] = [];
    for (let i = 0; i < all + 3; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      if (f.tag === "body") break;
      walked.push(f.name);
    }
    expect(walked.length).toBeGreaterThanOrEqual(all);

    // My consents, by the link on the confirmation; Revoke by Enter.
    await page.locator("main").focus();
    await tabTo(page, /^See all your consents$/);
    await Promise.all([page.waitForURL(/\/my\/consents$/), page.keyboard.press("Enter")]);
    await page.locator("main").focus();
    await tabTo(page, /^Revoke consent for Department of Immigration and Emigration — Passport Application/);
    await Promise.all([page.waitForURL(/notice=revoked/), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").textContent()).toContain("Your consent was revoked");
    const revoked = (await (await rig.system.api(`/v1/consent-requests/${consent.consentId}`)).json()) as { status: string };
    expect(revoked.status).toBe("REVOKED");

    // Who saw my data, from the header's navigation (backwards from the main content).
    await page.locator("main").focus();
    await tabTo(page, /^Who saw my data$/, { back: true });
    await Promise.all([page.waitForURL(/\/my\/accesses$/), page.keyboard.press("Enter")]);
    expect(await page.locator("main h1").textContent()).toBe("Who saw my data");
  });

  it("gives a screen reader the consent page in order: who, why, what, for how long, what Allow and Deny do, then the buttons", async () => {
    const consent = await rig.openRequest({ ...passportRequest, fields: [{ provider: "registry", field: "Person.fullName" }, { provider: "drp", field: "Person.permanentAddress" }] });
    await page.goto(consent.consentUrl);
    await page.locator("main h1").waitFor();
    const tree = await page.locator("main").ariaSnapshot();
    const order = [
      /heading "Department of Immigration and Emigration — Passport Application asks to see some of your information" \[level=1\]/,
      /term: Who asks/,
      /term: Why/,
      /definition: To process your passport application/,
      /heading "What they would see \(2 items\)" \[level=2\]/,
      /listitem: Permanent address/,
      /listitem: Full name/,
      /group "Your answer"/,
      /combobox "For how long"/,
      /Choose how long they may use your consent\. The longest time allowed is 30 days\./,
      /listitem: "?If you allow: Department of Immigration and Emigration — Passport Application can see this information for the time you choose\./,
      /listitem: "?If you deny: Department of Immigration and Emigration — Passport Application will not see this information\. Nothing else changes\./,
      /button "Allow Department of Immigration and Emigration — Passport Application to see this information"/,
      /button "Deny: Department of Immigration and Emigration — Passport Application will not see this information"/,
    ];
    let from = 0;
    for (const pattern of order) {
      const at = tree.slice(from).search(pattern);
      expect(at, `${pattern} after position ${from} in:\n${tree}`).toBeGreaterThanOrEqual(0);
      from += at + 1;
    }
    // Every control and link has a name.
    expect(tree).not.toMatch(/- (button|link|combobox|textbox|checkbox|radio)\s*(:|$)/m);
    const full = await page.locator("body").ariaSnapshot();
    expect(full).toMatch(/banner:/);
    expect(full).toMatch(/navigation "Language"/);
    expect(full).toMatch(/navigation "Account"/);
    expect(full).toMatch(/main:/);
    expect(full).toMatch(/contentinfo:/);
    expect(full).toMatch(/link "Skip to main content"/);
  });

  it("announces an error: the page says it in an alert", async () => {
    await page.goto(`${rig.system.portalUrl}/consent/cns_AAAAAAAAAAAAAAAAAAAAAA`);
    const alert = page.getByRole("alert");
    expect(await alert.textContent()).toContain("There is no consent request at this address");
  });
});
