/**
 * The console's pages against a stand-in gateway that serves the exchange's SDL: every POST needs a form token of
 * this session for this form (and our origin), a secret is shown once on a no-store page and nowhere else, what the
 * gateway refuses is shown with its code and reasons and escaped, and the charts page shows the summary's figures in
 * tables with Chart.js served from the console under a strict CSP.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartJsFile } from "../src/routes.ts";
import { standInSummary } from "./support/standInGateway.ts";
import { formToken, passwords, startConsoleSystem, Visitor, type ConsoleSystem } from "./support/system.ts";

let system: ConsoleSystem;
let admin: Visitor;
let memberAdmin: Visitor;

async function signedIn(username: string, path: string): Promise<Visitor> {
  const visitor = new Visitor(system.url);
  const landed = await visitor.signIn(await visitor.get(path), username, passwords[username] ?? "");
  expect(landed.response.status).toBe(200);
  return visitor;
}
const page = async (visitor: Visitor, path: string) => {
  const { response } = await visitor.get(path);
  expect(response.status).toBe(200);
  return response.text();
};
const calls = (name: string) => system.gateway.calls.filter((c) => c.operationName === name).length;

beforeAll(async () => {
  system = await startConsoleSystem();
  admin = await signedIn("exchange.admin", "/members");
  memberAdmin = await signedIn("immigration.admin", "/applications");
});
afterAll(async () => {
  await system?.close();
});

const memberForm = { code: "MOH", name: "Ministry of Health", contactEmail: "exchange@health.example", providers: "", person0: "health.admin", role0: "MEMBER_ADMIN" };

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The form token with character `at` of its signature replaced by the one `change` picks from its alphabet index. */
function withSignatureChar(token: string, at: number, change: (index: number) => number): string {
  const [nonce, expires, signature = ""] = token.split(".");
  const swapped = base64url[change(base64url.indexOf(signature[at] ?? "A"))] ?? "A";
  return `${nonce ?? ""}.${expires ?? ""}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
}

describe("forms", () => {
  it("refuse a POST without a form token, with another form's or another session's token, or from another origin; a used token is refused as sent", async () => {
    const form = await page(admin, "/members/new");
    const token = formToken(form, "/members");
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.\d{13}\.[A-Za-z0-9_-]{43}$/);
    const logoutToken = formToken(form, "/logout");
    const refusals = [
      await admin.post("/members", memberForm),
      await admin.post("/members", { ...memberForm, token: "" }),
      await admin.post("/members", { ...memberForm, token: logoutToken }),
      await memberAdmin.post("/members", { ...memberForm, token }),
      await admin.post("/members", { ...memberForm, token: withSignatureChar(token, 0, (i) => (i + 1) % 64) }),
      // The same MAC spelled otherwise: the last character's two low bits carry nothing (256 bits in 43 characters).
      await admin.post("/members", { ...memberForm, token: withSignatureChar(token, 42, (i) => i ^ 1) }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await refusals[0]?.text()).toContain("nothing was changed");
    const crossSite = await admin.post("/members", { ...memberForm, token }, "https://evil.example");
    expect(crossSite.status).toBe(403);
    expect(calls("ConsoleRegisterMember")).toBe(0);

    const sent = await admin.post("/members", { ...memberForm, token });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe("/members/MOH?notice=registered");
    expect(system.gateway.calls.at(-1)).toMatchObject({
      operationName: "ConsoleRegisterMember",
      variables: { input: { code: "MOH", name: "Ministry of Health", contactEmail: "exchange@health.example", providers: [], people: [{ username: "health.admin", role: "MEMBER_ADMIN" }] } },
      caller: { sub: "exchange.admin", roles: ["exchange_admin"] },
    });
    const replay = await admin.post("/members", { ...memberForm, token });
    expect(replay.status).toBe(409);
    expect(await replay.text()).toContain("already sent");
    expect(calls("ConsoleRegisterMember")).toBe(1);
    expect(await page(admin, "/members/MOH?notice=registered")).toContain("The member was registered.");
  });
});

describe("a new application's secret", () => {
  it("is shown once, on the no-store answer to the registration, and on no other page; a rotation shows the new one once", async () => {
    const form = await page(memberAdmin, "/applications/new?member=DIE");
    const registered = await memberAdmin.post("/applications", {
      token: formToken(form, "/applications"),
      member: "DIE",
      name: "Visa desk",
      description: "The visa desk checks who you are.",
      redirectUris: "https://visa.example/callback\r\nhttps://visa.example/other",
      "purpose0-code": "visa-application",
      "purpose0-text": "To process your visa",
      "purpose0-legalBasis": "Immigration Act, s. 9",
      "purpose0-maxConsentDays": "30",
      "purpose0-maxGrantDays": "365",
      "purpose1-code": "",
      authMethod: "CLIENT_SECRET_BASIC",
      jwks: "",
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get("cache-control")).toBe("no-store");
    expect(registered.headers.getSetCookie()).toEqual([]);
    const html = await registered.text();
    const secret = system.gateway.secrets[0] ?? "";
    expect(html.split(secret)).toHaveLength(2);
    expect(html).toContain("Copy it now.");
    expect(html).toContain("This is the only time it is shown");
    expect(system.gateway.calls.at(-1)?.variables).toEqual({
      input: {
        member: "DIE",
        name: "Visa desk",
        description: "The visa desk checks who you are.",
        language: "en",
        redirectUris: ["https://visa.example/callback", "https://visa.example/other"],
        purposes: [{ code: "visa-application", text: "To process your visa", legalBasis: "Immigration Act, s. 9", maxConsentDays: 30, maxGrantDays: 365 }],
        authMethod: "CLIENT_SECRET_BASIC",
      },
    });

    const detail = await page(memberAdmin, "/applications/app-1");
    expect(detail).toContain("Visa desk");
    expect(detail).not.toContain(secret);
    expect(await page(memberAdmin, "/applications")).not.toContain(secret);

    const rotated = await memberAdmin.post("/applications/app-1/rotate", { token: formToken(detail, "/applications/app-1/rotate") });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const rotatedHtml = await rotated.text();
    const second = system.gateway.secrets[1] ?? "";
    expect(rotatedHtml.split(second)).toHaveLength(2);
    expect(rotatedHtml).not.toContain(secret);
    expect(rotatedHtml).toContain("The previous secret no longer works.");
  });
});

describe("what the gateway refuses", () => {
  it("is shown with its code, message and reasons, escaped, and nothing else", async () => {
    const form = await page(admin, "/members/new");
    const bad = await admin.post("/members", { ...memberForm, code: `<script>alert("x")</script>`, token: formToken(form, "/members") });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain(`<span class="code">BAD_USER_INPUT</span> The code &quot;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot; is not upper-case letters`);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toMatch(/at .*\.ts:\d+/);
    // The form again, with what was typed (escaped) and a fresh token: only the code needs correcting.
    expect(html).toContain(`<input id="name" name="name" required value="Ministry of Health">`);
    expect(html).toContain(`value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"`);
    const again = await admin.post("/members", { ...memberForm, code: "MOH2", token: formToken(html, "/members") });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/members/MOH2?notice=registered");

    const detail = await page(admin, "/applications/app-1");
    const refused = await admin.post("/applications/app-1/suspend", { token: formToken(detail, "/applications/app-1/suspend"), reason: "test" });
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(text).toContain(`<span class="code">FORBIDDEN</span> Access denied by policy: suspendApplication is for exchange administrators`);
    expect(text).toContain("<li>suspendApplication is for exchange administrators</li>");
    expect(text).toContain(`<a href="/applications/app-1">Back</a>`);
  });
});

describe("the charts page", () => {
  it("shows the audit summary's figures in a table under each chart, with Chart.js from the console and no inline script", async () => {
    const { response } = await admin.get("/charts?days=3");
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await response.text();
    expect(html).toContain(`<script src="/static/chart.umd.min.js" defer></script>`);
    expect(html).toContain(`<script src="/static/charts.js" defer></script>`);
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const id of ["requests", "decisions", "consent"]) expect(html).toContain(`<canvas id="${id}-chart" data-table="${id}-table"`);
    const row = (series: string) => new RegExp(`<tr data-series="${series}"><th scope="row">[^<]+</th>((?:<td>\\d+</td>)+)</tr>`).exec(html)?.[1]?.match(/\d+/g)?.map(Number);
    expect(row("passport-app")).toEqual(standInSummary.requests[0]?.counts);
    expect(row("benefits-app")).toEqual(standInSummary.requests[1]?.counts);
    for (const [kind, counts] of Object.entries(standInSummary.decisions)) expect(row(kind)).toEqual(counts);
    for (const [kind, counts] of Object.entries(standInSummary.consent.answers)) expect(row(kind)).toEqual(counts);

    const chartJs = await fetch(`${system.url}/static/chart.umd.min.js`);
    expect(chartJs.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await chartJs.text()).toBe(readFileSync(chartJsFile, "utf8"));
    expect(await (await fetch(`${system.url}/static/charts.js`)).text()).toContain("new window.Chart(canvas");
  });

  it("shows the gateway's refusal of the summary plainly", async () => {
    const owner = await signedIn("drp.owner", "/grants");
    const { response } = await owner.get("/charts");
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(`<span class="code">FORBIDDEN</span> the audit summary is for exchange administrators (role exchange_admin)`);
  });
});

describe("the application form's translations and refusals", () => {
  it("sends a translation per language filled in, and leaves out the empty ones", async () => {
    const form = await page(memberAdmin, "/applications/new?member=DIE");
    expect(form).toContain(`<fieldset class="translation"><legend>In Arabic (ar)</legend>`);
    expect(form).toContain(`<input id="tr-ar-name" name="tr-ar-name" lang="ar" dir="rtl" value="">`);
    const sent = await memberAdmin.post("/applications", {
      token: formToken(form, "/applications"),
      member: "DIE",
      name: "Visa desk",
      description: "The visa desk checks who you are.",
      language: "en",
      redirectUris: "https://visa.example/callback",
      "purpose0-code": "visa-desk",
      "purpose0-text": "To process your visa",
      "purpose0-legalBasis": "Immigration Act, s. 9",
      "tr-fr-name": "Guichet des visas",
      "tr-ar-name": "مكتب التأشيرات",
      "tr-fr-purpose0": "Pour traiter votre visa",
      "tr-ar-purpose0": "",
    });
    expect(sent.status).toBe(201);
    expect(system.gateway.calls.at(-1)?.variables["input"]).toMatchObject({
      language: "en",
      nameTranslations: [
        { language: "fr", text: "Guichet des visas" },
        { language: "ar", text: "مكتب التأشيرات" },
      ],
      purposes: [{ code: "visa-desk", translations: [{ language: "fr", text: "Pour traiter votre visa" }] }],
    });
  });

  it("marks the field a refusal names as invalid, described by the refusal, focused, and links to it", async () => {
    const form = await page(memberAdmin, "/applications/new?member=DIE");
    const refused = await memberAdmin.post("/applications", {
      token: formToken(form, "/applications"),
      member: "DIE",
      name: "Visa desk",
      description: "The visa desk checks who you are.",
      redirectUris: "https://visa.example/callback#x",
      "purpose0-code": "visa-desk-2",
      "purpose0-text": "To process your visa",
      "purpose0-legalBasis": "Immigration Act, s. 9",
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain(`<div class="problem" role="alert" id="problem">`);
    expect(html).toContain(`<textarea id="redirectUris" name="redirectUris" aria-invalid="true" aria-describedby="problem" autofocus rows="3">`);
    expect(html).toContain(`<a href="#redirectUris">Go to the field to correct</a>`);
    expect(html.match(/aria-invalid/g)).toHaveLength(1);
  });
});

describe("changing an application's translations", () => {
  it("is a form on the application's page for its member's administrators; saving sends them and says so", async () => {
    const detail = await page(memberAdmin, "/applications/app-1");
    expect(detail).toContain("<h2>Translations</h2>");
    expect(await page(admin, "/applications/app-1")).not.toContain("<h2>Translations</h2>");
    const saved = await memberAdmin.post("/applications/app-1/translations", {
      token: formToken(detail, "/applications/app-1/translations"),
      "tr-fr-name": "Guichet des visas",
      "tr-ar-name": "",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/applications/app-1?notice=translated");
    expect(system.gateway.calls.at(-1)).toMatchObject({
      operationName: "ConsoleSetTranslations",
      variables: { id: "app-1", nameTranslations: [{ language: "fr", text: "Guichet des visas" }] },
    });
    expect(await page(memberAdmin, "/applications/app-1?notice=translated")).toContain(`value="Guichet des visas"`);
  });
});
