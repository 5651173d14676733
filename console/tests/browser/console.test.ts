/**
 * The admin console in a real headless Chromium against the real parts (identity provider, exchange subgraph,
 * consent engine, gateway; tests/browser/support/realSystem.ts), as the people of issue 16 would use it: the
 * exchange administrator registers a member; its member administrator registers an application and sees its secret
 * once (and the secret gets a token at the identity provider), then requests DRP and DMT fields; the DRP and DMT data
 * owners approve their parts; the exchange administrator approves and sees the grants with their end dates; the
 * charts page draws the audit summary with the same figures in its tables. Screenshots go to console/screenshots/.
 */
import { loadExchangeSeed } from "@ndx/fixtures";
import { clientCredentialsToken } from "@ndx/platform/dev";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionCookies } from "../../src/index.ts";
import { launchChromium, newPerson, screenshot, signInAtProvider } from "./support/browser.ts";
import { audience, sessionSecret, startRealSystem, type RealSystem } from "./support/realSystem.ts";

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

/** A person signed in to the console, on `path`. */
async function signedIn(username: string, path: string): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPerson(browser);
  await page.goto(`${system.consoleUrl}${path}`);
  expect(new URL(page.url()).origin).toBe(new URL(system.idp.issuer).origin);
  await signInAtProvider(page, username, passwords[username] ?? "");
  await page.waitForURL(`${system.consoleUrl}${path}`);
  return { page, problems };
}

const main = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe("the admin console in Chromium", () => {
  let admin: Page;
  let memberAdmin: Page;
  let applicationId = "";
  let applicationSecret = "";
  let requestUrl = "";

  it("the exchange administrator registers a member with its member administrator", async () => {
    ({ page: admin } = await signedIn("exchange.admin", "/members"));
    expect(await admin.getByRole("heading", { level: 1 }).textContent()).toBe("Members");
    expect(await main(admin)).toContain("Department of Registration of Persons");
    await admin.getByRole("link", { name: "Register a member" }).click();
    await admin.getByLabel("Code").fill("MOH");
    await admin.getByLabel("Name", { exact: true }).fill("Ministry of Health");
    await admin.getByLabel("Contact e-mail").fill("exchange@health.farajaland.example");
    await admin.getByLabel("Username 1").fill("health.admin");
    await admin.getByLabel("Role 1").selectOption("MEMBER_ADMIN");
    await Promise.all([admin.waitForURL(/\/members\/MOH/), admin.getByRole("button", { name: "Register member" }).click()]);
    expect(await main(admin)).toContain("The member was registered.");
    expect(await main(admin)).toContain("health.admin — member administrator");
    await admin.goto(`${system.consoleUrl}/members`);
    console.log(`members screenshot: ${await screenshot(admin, "members")}`);
  });

  it("its member administrator registers an application and sees its secret once; the secret gets a token", async () => {
    ({ page: memberAdmin } = await signedIn("health.admin", "/applications/new?member=MOH"));
    const fill = async (redirectUri: string) => {
      await memberAdmin.getByLabel("Name", { exact: true }).fill("Vaccination records");
      await memberAdmin.getByLabel("What a citizen reads about it").fill("The health ministry checks who you are and where you live before a vaccination.");
      await memberAdmin.getByLabel("Redirect URIs").fill(redirectUri);
      await memberAdmin.getByLabel("Code", { exact: true }).first().fill("vaccination");
      await memberAdmin.getByLabel("What citizens read").first().fill("To record your vaccinations");
      await memberAdmin.getByLabel("Legal basis").first().fill("Public Health Act, section 21");
    };
    // A redirect URI with a fragment: the exchange refuses it, and the console says so plainly.
    await fill("http://localhost:5174/callback#token");
    await Promise.all([memberAdmin.waitForLoadState(), memberAdmin.getByRole("button", { name: "Register application" }).click()]);
    await memberAdmin.locator(".problem .code").waitFor();
    expect(await memberAdmin.locator(".problem .code").textContent()).toBe("BAD_USER_INPUT");
    expect((await memberAdmin.locator(".problem").textContent())?.toLowerCase()).toContain("redirect");
    // The form comes back with what was typed, the refusal above it: only the redirect URI needs correcting.
    expect(await memberAdmin.getByLabel("Name", { exact: true }).inputValue()).toBe("Vaccination records");
    expect(await memberAdmin.getByLabel("Legal basis").first().inputValue()).toBe("Public Health Act, section 21");
    console.log(`refusal screenshot: ${await screenshot(memberAdmin, "bad-input")}`);
    await memberAdmin.getByLabel("Redirect URIs").fill("http://localhost:5174/callback");
    const [response] = await Promise.all([memberAdmin.waitForResponse((r) => r.url() === `${system.consoleUrl}/applications` && r.request().method() === "POST"), memberAdmin.getByRole("button", { name: "Register application" }).click()]);
    expect(response.status()).toBe(201);
    expect(response.headers()["cache-control"]).toBe("no-store");
    expect(await memberAdmin.getByRole("heading", { level: 1 }).textContent()).toBe("The application is registered");
    expect(await main(memberAdmin)).toContain("Copy it now.");
    applicationId = (await memberAdmin.locator("#client-id").textContent()) ?? "";
    const secret = (await memberAdmin.getByLabel("Client secret").inputValue()) ?? "";
    expect(applicationId).not.toBe("");
    expect(secret.length).toBeGreaterThanOrEqual(32);
    applicationSecret = secret;
    console.log(`secret screenshot: ${await screenshot(memberAdmin, "application-secret")}`);

    // The credentials work at the identity provider: the application can get a gateway token now.
    const issued = await clientCredentialsToken({ issuer: system.idp.issuer, clientId: applicationId, clientSecret: secret, audience });
    expect(issued.accessToken.split(".")).toHaveLength(3);

    // Nowhere else: not on the application's page, and not on reloading it.
    await memberAdmin.goto(`${system.consoleUrl}/applications/${encodeURIComponent(applicationId)}`);
    expect(await main(memberAdmin)).toContain("Vaccination records");
    expect(await memberAdmin.content()).not.toContain(secret);
  });

  it("it requests DRP and DMT fields, picked from the field catalogue by provider with their data class", async () => {
    await memberAdmin.getByRole("link", { name: "Request fields" }).click();
    await memberAdmin.waitForURL(/\/request$/);
    expect(await memberAdmin.locator("fieldset.fields legend").allTextContents()).toEqual(expect.arrayContaining(["From drp", "From dmt"]));
    await memberAdmin.locator('input[value="drp|Person.permanentAddress"]').check();
    await memberAdmin.locator('input[value="dmt|Person.vehicles"]').check();
    await memberAdmin.getByLabel("Why the application needs them").fill("To find the vaccination centre nearest the citizen's address and record transport needs.");
    console.log(`request screenshot: ${await screenshot(memberAdmin, "grant-request")}`);
    await Promise.all([memberAdmin.waitForURL(/\/requests\/[^/?]+\?notice=sent$/), memberAdmin.getByRole("button", { name: "Send the request" }).click()]);
    requestUrl = memberAdmin.url().replace(/\?.*$/, "");
    const text = await main(memberAdmin);
    expect(text).toContain("The request was sent for review.");
    expect(text).toContain("provider review");
    expect(await memberAdmin.locator("section.part h3").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("drp"), expect.stringContaining("dmt")]));
  });

  it("the DRP and DMT data owners approve their parts from their reviews", async () => {
    for (const [owner, provider] of [["drp.owner", "drp"], ["dmt.owner", "dmt"]] as const) {
      const { page } = await signedIn(owner, "/reviews");
      await page.getByRole("link", { name: requestUrl.split("/").at(-1) ?? "" }).click();
      await page.waitForURL(requestUrl);
      // Only their own provider's part is theirs to review.
      const other = provider === "drp" ? "dmt" : "drp";
      expect(await page.getByRole("button", { name: `Approve the ${other} part` }).count()).toBe(0);
      if (provider === "drp") console.log(`review screenshot: ${await screenshot(page, "provider-review")}`);
      await Promise.all([page.waitForURL(/notice=answered/), page.getByRole("button", { name: `Approve the ${provider} part` }).click()]);
      expect(await page.locator("section.part", { hasText: provider }).textContent()).toContain("approved");
      await page.context().close();
    }
  });

  it("the exchange administrator approves, and sees the grants with their end dates", async () => {
    await admin.goto(`${system.consoleUrl}/reviews`);
    await admin.getByRole("link", { name: requestUrl.split("/").at(-1) ?? "" }).click();
    await admin.waitForURL(requestUrl);
    expect(await main(admin)).toContain("exchange review");
    await Promise.all([admin.waitForURL(/notice=answered/), admin.getByRole("button", { name: "Approve request" }).click()]);
    expect(await main(admin)).toContain("approved");
    expect(await main(admin)).toContain("Decided by");

    await admin.goto(`${system.consoleUrl}/grants`);
    const groups = admin.locator("table.grants-summary tbody tr", { hasText: "Vaccination records" });
    expect((await groups.locator("td:nth-child(3)").allTextContents()).sort()).toEqual(["dmt", "drp"]);
    await groups.first().getByRole("link", { name: "Vaccination records" }).click();
    await admin.waitForURL(/\/grants\?application=/);
    const rows = admin.locator("table.grants tbody tr");
    expect(await rows.count()).toBe(2);
    const text = (await rows.allTextContents()).join("\n");
    expect(text).toContain("Person.permanentAddress");
    expect(text).toContain("Person.vehicles");
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} 23:59 UTC/);
    console.log(`grants screenshot: ${await screenshot(admin, "grants")}`);
  });

  it("what the policy refuses is shown with its code and reasons: a member administrator cannot register a member", async () => {
    await memberAdmin.goto(`${system.consoleUrl}/members/new`);
    await memberAdmin.getByLabel("Code").fill("XYZ");
    await memberAdmin.getByLabel("Name", { exact: true }).fill("Not allowed");
    await memberAdmin.getByLabel("Contact e-mail").fill("x@example.org");
    await memberAdmin.getByRole("button", { name: "Register member" }).click();
    await memberAdmin.locator(".problem .code").waitFor();
    expect(await memberAdmin.locator(".problem .code").textContent()).toBe("FORBIDDEN");
    expect(await memberAdmin.locator(".problem ul.reasons li").count()).toBeGreaterThan(0);
    expect(await memberAdmin.content()).not.toMatch(/at \S+\.ts:\d+/);
  });

  it("the exchange administrator suspends the application with a reason (it is refused at once) and reinstates it", async () => {
    const app = `${system.consoleUrl}/applications/${encodeURIComponent(applicationId)}`;
    await admin.goto(app);
    await admin.getByLabel("Reason for suspending").fill("Contact e-mail bounced");
    await Promise.all([admin.waitForURL(/notice=suspended/), admin.getByRole("button", { name: "Suspend" }).click()]);
    expect(await main(admin)).toContain("Contact e-mail bounced");
    expect(await admin.locator("h1 .badge").textContent()).toBe("suspended");
    const issued = await clientCredentialsToken({ issuer: system.idp.issuer, clientId: applicationId, clientSecret: applicationSecret, audience });
    const ask = async () => {
      const response = await fetch(`${system.gatewayUrl}/graphql`, {
        method: "POST",
        headers: { authorization: `Bearer ${issued.accessToken}`, "content-type": "application/json", "x-purpose": "vaccination" },
        body: JSON.stringify({ query: `query Visit { person(nic: "199012345678") { permanentAddress } }` }),
      });
      return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string; reasons?: string[] } }[] };
    };
    // A suspension answers only once every gateway holds it (or has stopped answering from a register it cannot
    // confirm): the very first request after it is refused, with no data.
    const first = await ask();
    expect(first.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|UPSTREAM_UNAVAILABLE)$/);
    expect((first.data as { person?: unknown } | null | undefined)?.person ?? null).toBeNull();
    await expect.poll(async () => (await ask()).errors?.[0]?.extensions?.reasons, { timeout: 5000, interval: 100 }).toEqual(["application suspended"]);
    await Promise.all([admin.waitForURL(/notice=reinstated/), admin.getByRole("button", { name: "Reinstate" }).click()]);
    expect(await admin.locator("h1 .badge").textContent()).toBe("active");
    // A reinstatement gives access back, so the exchange answers it at once and the gateways follow within the
    // register stream's delay: a loaded 2-core CI machine has taken over a second.
    await expect.poll(async () => (await ask()).errors?.[0]?.extensions?.reasons, { timeout: 10_000, interval: 100 }).not.toEqual(["application suspended"]);
  });

  it("the charts page draws the audit summary, with the same figures in the table under each chart", async () => {
    // The new application asks the gateway for data, so that it has requests to show.
    const issued = await clientCredentialsToken({ issuer: system.idp.issuer, clientId: applicationId, clientSecret: applicationSecret, audience });
    for (const purpose of ["vaccination", "vaccination", "not-a-purpose"]) {
      const asked = await fetch(`${system.gatewayUrl}/graphql`, {
        method: "POST",
        headers: { authorization: `Bearer ${issued.accessToken}`, "content-type": "application/json", "x-purpose": purpose },
        body: JSON.stringify({ query: `query Visit { person(nic: "199012345678") { permanentAddress } }` }),
      });
      expect(asked.status).toBeGreaterThanOrEqual(200);
      await asked.body?.cancel();
    }

    // The summary as the gateway gives it to this administrator (the token is the one in their console session).
    const cookie = (await admin.context().cookies(system.consoleUrl)).find((c) => c.name === "ndx_console");
    const session = createSessionCookies({ secret: sessionSecret, secure: false }).read(new Request(system.consoleUrl, { headers: { cookie: `ndx_console=${cookie?.value ?? ""}` } }));
    const response = await fetch(`${system.gatewayUrl}/audit/summary?days=14`, { headers: { authorization: `Bearer ${session?.user?.accessToken ?? ""}` } });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { dates: string[]; requests: { application: string; counts: number[] }[]; decisions: Record<string, number[]>; consent: { available: boolean; answers?: Record<string, number[]> } };
    expect(summary.decisions["permit"]?.at(-1)).toBeGreaterThan(0);
    expect(summary.consent.available).toBe(true);

    const { page, problems } = await signedIn("exchange.admin", "/charts");
    for (const id of ["requests", "decisions", "consent"]) {
      await page.locator(`canvas#${id}-chart[data-drawn="true"]`).waitFor();
      const box = await page.locator(`canvas#${id}-chart`).boundingBox();
      expect(box?.height ?? 0).toBeGreaterThan(100);
    }
    const row = async (table: string, series: string) =>
      (await page.locator(`#${table}-table tr[data-series="${series}"] td`).allTextContents()).map(Number);
    expect(await page.locator("#decisions-table thead th").allTextContents()).toEqual(["Series", ...summary.dates]);
    for (const [kind, counts] of Object.entries(summary.decisions)) expect(await row("decisions", kind)).toEqual(counts);
    expect(summary.requests.find((r) => r.application === applicationId)?.counts.at(-1)).toBeGreaterThanOrEqual(3);
    expect(await page.locator(`#requests-table tr[data-series="${applicationId}"] th`).textContent()).toBe("Vaccination records");
    for (const r of summary.requests) expect(await row("requests", r.application)).toEqual(r.counts);
    for (const [kind, counts] of Object.entries(summary.consent.answers ?? {})) expect(await row("consent", kind)).toEqual(counts);
    expect(problems).toEqual([]);
    console.log(`charts screenshot: ${await screenshot(page, "charts")}`);
  });
});
