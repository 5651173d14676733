/**
 * The portal's languages in Chromium (issue 22): chosen from Accept-Language by q-value, `lang` and `dir` on the page,
 * switched on any page by a plain link and remembered in a cookie (SameSite=Lax, a supported code only), English for
 * anything else; registered texts translated when the register has a translation and otherwise shown in their own
 * language, marked and with a visible note; plurals and dates through ICU and Intl in each language. The README's two
 * screenshots of the consent page (English, Arabic) are taken here (consent-engine/screenshots/).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/browser.ts";
import { benefitsRequest, citizen, startPortalRig, type PortalRig } from "../support/portalTour.ts";
import { passportRequest } from "../support/system.ts";

let rig: PortalRig;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  rig = await startPortalRig();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await rig?.close();
});

async function browse(acceptLanguage: string): Promise<Page> {
  const context = await rig.browser.newContext({ extraHTTPHeaders: { "accept-language": acceptLanguage } });
  contexts.push(context);
  return context.newPage();
}

const html = async (page: Page) => ({ lang: await page.locator("html").getAttribute("lang"), dir: await page.locator("html").getAttribute("dir") });
const h1 = async (page: Page) => (await page.locator("main h1").textContent())?.trim();

/** Signs in through the consent page of a fresh request and leaves the page showing it. */
async function consentPage(page: Page, body: unknown): Promise<string> {
  const consent = await rig.openRequest(body);
  await page.goto(consent.consentUrl);
  if (new URL(page.url()).origin !== new URL(rig.system.portalUrl).origin) await signIn(page, citizen);
  await page.waitForURL(new RegExp(`/consent/${consent.consentId}`));
  return consent.requestExpiresAt ?? "";
}

describe("portal languages", () => {
  it("sends the citizen to a sign-in page in the portal's language (OpenID Connect ui_locales)", async () => {
    for (const [header, lang, dir, label] of [
      ["ar", "ar", "rtl", "الرقم الوطني أو اسم مستخدم الموظف"],
      ["fr-CA,fr;q=0.9", "fr", "ltr", "Numéro NIC ou identifiant du personnel"],
      ["de", "en", "ltr", "NIC number or staff username"],
    ] as const) {
      const page = await browse(header);
      const consent = await rig.openRequest(passportRequest);
      await page.goto(consent.consentUrl);
      await page.getByLabel(label).waitFor();
      expect({ header, ...(await html(page)) }).toEqual({ header, lang, dir });
      await signIn(page, citizen);
      await page.waitForURL(new RegExp(`/consent/${consent.consentId}`));
      expect({ header, ...(await html(page)) }).toEqual({ header, lang, dir });
    }
  });

  it("chooses the page's language from Accept-Language by q-value; anything else is English", async () => {
    const cases: [string, string, string][] = [
      ["fr", "fr", "ltr"],
      ["ar", "ar", "rtl"],
      ["fr-CA,fr;q=0.9", "fr", "ltr"],
      ["de;q=1, ar;q=0.9, fr;q=0.5", "ar", "rtl"],
      ["fr;q=0.2, en;q=0.8", "en", "ltr"],
      ["de, ja;q=0.8", "en", "ltr"],
      ["", "en", "ltr"],
    ];
    for (const [header, lang, dir] of cases) {
      const page = await browse(header);
      await page.goto(`${rig.system.portalUrl}/`);
      expect({ header, ...(await html(page)) }).toEqual({ header, lang, dir });
    }
    const french = await browse("fr");
    await french.goto(`${rig.system.portalUrl}/`);
    expect(await h1(french)).toBe("Vos données, votre consentement");
    expect(await french.title()).toBe("Bienvenue — Portail de consentement NDX");
    const arabic = await browse("ar");
    await arabic.goto(`${rig.system.portalUrl}/`);
    expect(await h1(arabic)).toBe("بياناتك، موافقتك");
  });

  it("switches language by a link on the page, stays on it, and remembers the choice on the next page", async () => {
    const page = await browse("en");
    await consentPage(page, passportRequest);
    expect(await html(page)).toEqual({ lang: "en", dir: "ltr" });
    const here = page.url();
    const switcher = page.getByRole("navigation", { name: "Language" });
    await Promise.all([page.waitForURL(here), switcher.getByRole("link", { name: "العربية" }).click()]);
    expect(page.url()).toBe(here);
    expect(await html(page)).toEqual({ lang: "ar", dir: "rtl" });
    expect(await page.getByRole("navigation", { name: "اللغة" }).locator('[aria-current="true"]').textContent()).toBe("العربية");
    const cookie = (await page.context().cookies()).find((c) => c.name === "ndx_lang");
    expect(cookie).toMatchObject({ value: "ar", sameSite: "Lax", path: "/" });
    // The next page, though the browser still prefers English.
    await page.goto(`${rig.system.portalUrl}/my/consents`);
    expect(await html(page)).toEqual({ lang: "ar", dir: "rtl" });
    expect(await h1(page)).toBe("موافقاتي");
    // Back to English by the same switch.
    await page.getByRole("link", { name: "English" }).click();
    await page.waitForURL(/\/my\/consents$/);
    expect(await h1(page)).toBe("My consents");
  });

  it("ignores a remembered value it does not speak, and never returns to another site", async () => {
    const page = await browse("fr");
    await page.context().addCookies([{ name: "ndx_lang", value: "xx", url: rig.system.portalUrl }]);
    await page.goto(`${rig.system.portalUrl}/`);
    expect(await html(page)).toEqual({ lang: "fr", dir: "ltr" });
    const unknown = await page.request.get(`${rig.system.portalUrl}/language?lang=de&return_to=%2F`, { maxRedirects: 0 });
    expect(unknown.status()).toBe(400);
    expect(unknown.headers()["set-cookie"]).toBeUndefined();
    for (const away of ["https://evil.example/", "//evil.example/", "/\\evil.example"]) {
      const answer = await page.request.get(`${rig.system.portalUrl}/language?${new URLSearchParams({ lang: "ar", return_to: away })}`, { maxRedirects: 0 });
      expect(answer.status()).toBe(303);
      expect(answer.headers()["location"]).toBe("/");
    }
  });

  it("shows registered texts translated, and a missing translation in its own language with a visible note", async () => {
    const french = await browse("fr");
    await consentPage(french, benefitsRequest);
    const frMain = (await french.locator("main").textContent()) ?? "";
    expect(frMain).toContain("Département de la protection sociale — Droit aux prestations");
    expect(frMain).toContain("Pour vérifier si vous avez droit aux prestations sociales");
    expect(await french.locator("main .fallback").count()).toBe(0);

    const arabic = await browse("ar");
    await consentPage(arabic, { ...benefitsRequest, fields: [{ provider: "registry", field: "Person.fullName" }] });
    expect(await h1(arabic)).toContain("إدارة الرعاية الاجتماعية — الأهلية للإعانات");
    // benefit-eligibility has no Arabic text registered: shown in English, marked as English, and said so.
    const why = arabic.locator("dl.facts dd").nth(2);
    expect(await why.locator('[lang="en"]').textContent()).toBe("To check whether you are eligible for social benefits");
    expect(await why.locator('[lang="en"]').getAttribute("dir")).toBe("ltr");
    expect(await why.locator(".fallback").textContent()).toBe(`(باللغة ${new Intl.DisplayNames(["ar"], { type: "language" }).of("en")})`);
    expect(await why.locator(".fallback").isVisible()).toBe(true);
  });

  it("says plurals by each language's rules and dates through Intl", async () => {
    const one = [{ provider: "registry", field: "Person.fullName" }];
    const three = [...one, { provider: "drp", field: "Person.permanentAddress" }, { provider: "dmt", field: "Person.vehicles" }];
    const expected = {
      en: { one: "What they would see (1 item)", three: "What they would see (3 items)", days: ["1 day", "7 days"] },
      fr: { one: "Ce qu’ils verraient (1 élément)", three: "Ce qu’ils verraient (3 éléments)", days: ["1 jour", "7 jours"] },
      ar: { one: "ما سيطّلعون عليه (عنصر واحد)", three: "ما سيطّلعون عليه (3 عناصر)", days: ["يوم واحد", "7 أيام"] },
    } as const;
    for (const [lang, words] of Object.entries(expected)) {
      const page = await browse(lang);
      for (const [fields, heading] of [[one, words.one], [three, words.three]] as const) {
        const answerBy = await consentPage(page, { ...passportRequest, fields });
        expect(await page.locator("main h2").first().textContent()).toBe(heading);
        const options = await page.locator("#durationDays option").allTextContents();
        expect(options.slice(0, 2)).toEqual(words.days);
        const date = new Date(answerBy).toLocaleString(lang === "en" ? "en-GB" : lang, {
          year: "numeric",
          month: "long",
          day: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          timeZone: "UTC",
          timeZoneName: "short",
        });
        expect(await page.locator("dl.facts dd").last().textContent()).toBe(date);
      }
    }
  });

  it("shows the consent page in English and in Arabic, right to left (the README's screenshots)", async () => {
    const dir = resolve(import.meta.dirname, "../../screenshots");
    mkdirSync(dir, { recursive: true });
    for (const lang of ["en", "ar"] as const) {
      const page = await browse(lang);
      await page.setViewportSize({ width: 900, height: 900 });
      await consentPage(page, { ...passportRequest, fields: passportRequest.fields.slice(0, 4) });
      expect(await html(page)).toEqual({ lang, dir: lang === "ar" ? "rtl" : "ltr" });
      // Right to left: the text runs from the right, as Chromium lays it out.
      expect(await page.locator("main h1").evaluate((el) => getComputedStyle(el).direction)).toBe(lang === "ar" ? "rtl" : "ltr");
      await page.screenshot({ path: resolve(dir, `consent-page-${lang}.png`), fullPage: true });
    }
  });
});
