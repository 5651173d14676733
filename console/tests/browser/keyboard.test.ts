/**
 * A staff task by keyboard alone (issue 22, WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7, 3.3.1, 4.1.2), in Chromium against the
 * real parts: a member administrator signs in, skips to the form, registers an application with its French and
 * Arabic translations using Tab, Shift+Tab, typing, Enter and Space only; the exchange's refusal is announced (an
 * alert) and tied to the field it names in the accessibility tree Chromium exposes; every control is named; focus is
 * always visible, follows the page's order and is never trapped.
 */
import { loadExchangeSeed } from "@ndx/fixtures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPerson } from "./support/browser.ts";
import { startRealSystem, type RealSystem } from "./support/realSystem.ts";

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

interface Focused {
  readonly tag: string;
  readonly id: string;
  readonly text: string;
  readonly outline: string;
  readonly outlineWidth: number;
  /** Its position among all elements of the document, for the order. */
  readonly index: number;
}

/** What has the focus, with its computed outline (what makes the focus visible). */
const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const el = document.activeElement ?? document.body;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? "").trim().slice(0, 60),
      outline: style.outlineStyle,
      outlineWidth: Number.parseFloat(style.outlineWidth),
      index: Array.prototype.indexOf.call(document.getElementsByTagName("*"), el),
    };
  });

/** Presses Tab until `match` has the focus (at most `max` presses); every stop on the way is returned. */
async function tabTo(page: Page, match: (f: Focused) => boolean, max = 60, key = "Tab"): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(key);
    const f = await focused(page);
    stops.push(f);
    if (match(f)) return stops;
  }
  throw new Error(`not reached in ${max} presses of ${key}: ${stops.map((s) => s.id || s.text || s.tag).join(", ")}`);
}

/** Accessibility nodes of the page as Chromium exposes them to assistive technology. */
async function axNodes(page: Page): Promise<{ role: string; name: string; description: string; invalid: boolean }[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
    nodes: { role?: { value?: string }; name?: { value?: string }; description?: { value?: string }; properties?: { name: string; value: { value?: unknown } }[] }[];
  };
  await cdp.detach();
  return nodes.map((n) => ({
    role: n.role?.value ?? "",
    name: n.name?.value ?? "",
    description: n.description?.value ?? "",
    invalid: (n.properties ?? []).some((p) => p.name === "invalid" && p.value.value !== "false"),
  }));
}

/** Lines of an ARIA snapshot naming a control with no accessible name. */
const unnamedControls = (snapshot: string): string[] =>
  snapshot.split("\n").filter((line) => /^\s*- (textbox|button|combobox|link|checkbox|spinbutton|radio|group)\s*(\[.*\])?:?\s*$/.test(line));

describe("a member administrator registers an application by keyboard alone", () => {
  it("signs in, skips to the form, fills it in, hears the refusal tied to its field, corrects it and registers", async () => {
    const { page, problems } = await newPerson(browser);
    await page.goto(`${system.consoleUrl}/applications/new?member=DIE`);
    // At the identity provider: Tab to the username, type, Tab, type the password, Enter.
    await tabTo(page, (f) => f.tag === "input" && f.id !== "" && !/password/i.test(f.id));
    await page.keyboard.type("immigration.admin");
    await page.keyboard.press("Tab");
    await page.keyboard.type(passwords["immigration.admin"] ?? "");
    await Promise.all([page.waitForURL(`${system.consoleUrl}/applications/new?member=DIE`), page.keyboard.press("Enter")]);

    // The first Tab reaches the skip link, visible and outlined; Enter moves the focus to the main content.
    await page.keyboard.press("Tab");
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: "a", text: "Skip to main content", outline: "solid" });
    expect(skip.outlineWidth).toBeGreaterThanOrEqual(2);
    const box = await page.locator("a.skip").boundingBox();
    expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Enter");
    expect((await focused(page)).id).toBe("main");

    // Every control of the form has a name (the accessibility tree, not only the DOM), each language a named group.
    const snapshot = await page.locator("main form").ariaSnapshot();
    expect(unnamedControls(snapshot)).toEqual([]);
    for (const group of ["Purpose 1", "In English (en)", "In French (fr)", "In Arabic (ar)"]) expect(snapshot).toContain(`group "${group}`);

    // Tab through the form in order, typing where there is something to type; the focus is always visible.
    const typed: Readonly<Record<string, string>> = {
      name: "Border checks",
      description: "The border post checks who you are when you cross.",
      redirectUris: "https://border.example/callback#fragment",
      "purpose0-code": "border-check",
      "purpose0-text": "To check who you are at the border",
      "purpose0-legalBasis": "Immigration Act, section 3",
      "tr-fr-name": "Contrôles aux frontières",
      "tr-fr-purpose0": "Pour vérifier qui vous êtes à la frontière",
      "tr-ar-name": "التفتيش على الحدود",
    };
    const stops = await tabTo(page, (f) => f.tag === "button" && f.text === "Register application");
    expect(stops.filter((s) => s.outline === "none" || s.outlineWidth < 2)).toEqual([]);
    // Logical order: each stop comes after the one before in the page.
    expect(stops.map((s) => s.index)).toEqual([...stops.map((s) => s.index)].sort((a, b) => a - b));
    // Back to the start of the form by Shift+Tab, to type what it asks on the way down again.
    await tabTo(page, (f) => f.id === "member", 60, "Shift+Tab");
    const seen = new Set<string>();
    for (let i = 0; i < 40; i += 1) {
      const f = await focused(page);
      if (f.tag === "button") break;
      const value = typed[f.id];
      if (value !== undefined && !seen.has(f.id)) {
        await page.keyboard.type(value);
        seen.add(f.id);
      }
      await page.keyboard.press("Tab");
    }
    expect([...seen].sort()).toEqual(Object.keys(typed).sort());
    await Promise.all([page.waitForLoadState("load"), page.waitForResponse((r) => r.url().endsWith("/applications") && r.request().method() === "POST"), page.keyboard.press("Enter")]);

    // The refusal is an alert, the field it names has the focus, is invalid, and is described by the refusal.
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("BAD_USER_INPUT");
    expect((await focused(page)).id).toBe("redirectUris");
    const redirect = (await axNodes(page)).find((n) => n.role === "textbox" && n.name.startsWith("Redirect URIs"));
    expect(redirect?.invalid).toBe(true);
    expect(redirect?.description).toMatch(/redirectUris\[0\] has a fragment/);
    // What was typed is still there, translations included.
    expect(await page.locator("#tr-ar-name").inputValue()).toBe("التفتيش على الحدود");

    // Correct it where the focus is, then Tab to the button and press Space.
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("https://border.example/callback");
    await tabTo(page, (f) => f.tag === "button" && f.text === "Register application");
    await Promise.all([page.waitForURL(`${system.consoleUrl}/applications`), page.keyboard.press("Space")]);
    await page.getByRole("heading", { name: "The application is registered" }).waitFor();
    expect(await page.locator("main").ariaSnapshot()).toMatch(/textbox "Client secret"/);

    // The application page shows the translations, each marked with its language.
    await tabTo(page, (f) => f.tag === "a" && f.text === "Go to the application");
    await Promise.all([page.waitForURL(/\/applications\/[^/]+$/), page.keyboard.press("Enter")]);
    expect(await page.locator('span[lang="ar"]').first().textContent()).toBe("التفتيش على الحدود");
    expect(await page.locator('span[lang="fr"]').allTextContents()).toEqual(["Contrôles aux frontières", "Pour vérifier qui vous êtes à la frontière"]);
    // No script error or refused resource of the console's own (the refusal's HTTP 400 is the page itself).
    expect(problems.filter((p) => !p.startsWith("Failed to load resource"))).toEqual([]);
    await page.context().close();
  });

  it("traps the focus nowhere: Tab goes through every control of a page and back to the skip link", async () => {
    const { page } = await newPerson(browser);
    await page.goto(`${system.consoleUrl}/applications/new?member=DIE`);
    await tabTo(page, (f) => f.tag === "input" && f.id !== "" && !/password/i.test(f.id));
    await page.keyboard.type("immigration.admin");
    await page.keyboard.press("Tab");
    await page.keyboard.type(passwords["immigration.admin"] ?? "");
    await Promise.all([page.waitForURL(`${system.consoleUrl}/applications/new?member=DIE`), page.keyboard.press("Enter")]);
    await page.keyboard.press("Tab");
    expect((await focused(page)).text).toBe("Skip to main content");
    const round = await tabTo(page, (f) => f.text === "Skip to main content", 80);
    // Through the navigation, sign-out, every field and the button, then out of the page and back.
    expect(round.some((f) => f.text === "Sign out")).toBe(true);
    expect(round.some((f) => f.text === "Register application")).toBe(true);
    await page.context().close();
  });
});
