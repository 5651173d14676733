/**
 * Issue 16's "done", as new users would do it against `npm start`, with no process restarted: an exchange administrator
 * registers a member; its administrator registers an application and gets its credentials once (OIDC Dynamic Client
 * Registration at the identity provider); the application asks for registry, DRP and DMT fields for a purpose; each
 * provider's data owner approves its part and an exchange administrator approves the request; the application gets a
 * token and runs the consent flow to data (the citizen in Chromium); the DMT grant is revoked and the next query for
 * vehicles is FORBIDDEN with no call reaching DMT; the application is suspended and is refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCredentialsToken } from "@ndx/platform/dev";
import { staffLogin } from "../../scripts/staffLogin.ts";
import { startNdx, type Started } from "./launcher.ts";
import { exchangeOps, gql, metricCount, waitFor } from "./exchangeClient.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ndx-onboarding-"));
const nic = "199012345678";
const purpose = "health-insurance-enrolment";
const callbackHost = "localhost:5175";
let ndx: Started;
let browser: Browser;
let callback: { port: number; close(): void };

beforeAll(async () => {
  ndx = await startNdx(dataDir);
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Health</title><h1>Back at the health insurer</h1>"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  callback = { port: (server.address() as AddressInfo).port, close: () => server.close() };
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--host-rules=MAP ${callbackHost} 127.0.0.1:${callback.port}`,
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  callback?.close();
  if (ndx !== undefined) expect(await ndx.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("onboarding an agency and its application through the gateway, live without a restart", () => {
  it("member → application → reviewed grants → consent → data; a revoked grant and a suspension refuse at once", async () => {
    const gateway = `${ndx.urls["gateway"]}/graphql`;
    const issuer = ndx.urls["identity-provider"] ?? "";
    const login = async (username: string) =>
      (
        await staffLogin(username, `${username.replace(".", "-")}-dev-password`, {
          issuer,
          audience: gateway,
          redirectUri: `${ndx.urls["consent-engine"]}/auth/callback`,
        })
      ).accessToken;
    const [admin, healthAdmin, rgdOwner, drpOwner, dmtOwner] = await Promise.all(
      ["exchange.admin", "health.admin", "rgd.owner", "drp.owner", "dmt.owner"].map(login),
    );
    const ops = exchangeOps(gateway);

    // 1. The exchange administrator registers the Ministry of Health and names its administrator.
    const member = await ops.registerMember(admin!, {
      code: "MOH",
      name: "Ministry of Health",
      contactEmail: "exchange@health.farajaland.example",
      people: [{ username: "health.admin", role: "MEMBER_ADMIN" }],
    });
    expect(member.errors).toBeUndefined();
    // Someone without the role cannot: the policy refuses before the subgraph is called.
    const forged = await ops.registerMember(healthAdmin!, { code: "MOH2", name: "x", contactEmail: "a@b.example", people: [] });
    expect(forged.body.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");

    // 2. Its administrator registers an application; the secret is shown once.
    const registered = await ops.registerApplication(healthAdmin!, {
      member: "MOH",
      name: "Health Insurance Enrolment",
      description: "The Ministry of Health checks your identity, address and vehicles to enrol you in national health insurance.",
      redirectUris: [`http://${callbackHost}/callback`],
      purposes: [{ code: purpose, text: "To enrol you in national health insurance", legalBasis: "National Health Insurance Act, section 9" }],
    });
    expect(registered.errors).toBeUndefined();
    const credentials = registered.data as { clientId: string; clientSecret: string; tokenEndpoint: string };
    expect(credentials.clientSecret.length).toBeGreaterThan(20);
    const appToken = async () => (await clientCredentialsToken({ issuer, clientId: credentials.clientId, clientSecret: credentials.clientSecret, audience: gateway })).accessToken;
    let token = await appToken();
    const read = (query: string) => gql(gateway, token, query, undefined, { "x-purpose": purpose });
    const fullQuery = `{ person(nic: "${nic}") { nic permanentAddress vehicles { regNo } } }`;

    // Registered but granted nothing: refused by the policy, on every replica within a second of the registration
    // (until then its purpose code is not yet registered there: a 400).
    const ungranted = await waitFor(1000, async () => {
      const answer = await read(fullQuery);
      return answer.body.errors?.[0]?.extensions["code"] === "FORBIDDEN" ? answer : undefined;
    });
    expect(JSON.stringify(ungranted.body.errors)).toContain("Person.permanentAddress");

    // 3. It asks for registry, DRP and DMT fields for its purpose.
    const endsAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const requested = await ops.requestFieldGrant(healthAdmin!, {
      application: credentials.clientId,
      purpose,
      justification: "Enrolment needs a verified identity, the home address and the vehicles the applicant owns.",
      endsAt,
      fields: [
        { provider: "registry", coordinate: "Person.nic" },
        { provider: "drp", coordinate: "Person.permanentAddress" },
        { provider: "dmt", coordinate: "Person.vehicles" },
        { provider: "dmt", coordinate: "Vehicle.regNo" },
      ],
    });
    expect(requested.errors).toBeUndefined();
    const requestId = (requested.data as { id: string }).id;

    // Its own administrator cannot approve it (maker-checker), nor can the wrong provider's owner review a part.
    expect((await ops.decide(healthAdmin!, requestId, true)).body.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");
    expect((await ops.review(drpOwner!, requestId, "dmt", true)).body.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");

    // 4. Each provider's data owner approves its part, then the exchange administrator approves the request.
    for (const [owner, provider] of [[rgdOwner, "registry"], [drpOwner, "drp"], [dmtOwner, "dmt"]] as const) {
      const reviewed = await ops.review(owner!, requestId, provider, true);
      expect(reviewed.errors, provider).toBeUndefined();
    }
    const decided = await ops.decide(admin!, requestId, true);
    expect(decided.errors).toBeUndefined();
    expect((decided.data as { status: string }).status).toBe("APPROVED");

    // 5. Within a second the gateway lets the application ask: consent is what is missing now.
    const asked = await waitFor(1000, async () => {
      const answer = await read(fullQuery);
      return answer.body.errors?.[0]?.extensions["code"] === "CONSENT_REQUIRED" ? answer : undefined;
    });
    const consentUrl = new URL(String(asked.body.errors?.[0]?.extensions["consentUrl"]));
    consentUrl.searchParams.set("redirect_uri", `http://${callbackHost}/callback`);
    consentUrl.searchParams.set("state", "enrol-7");

    // The citizen signs in and allows; the page names the application and the purpose as registered.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(consentUrl.toString());
    await page.getByLabel("NIC number or staff username").fill(nic);
    await page.getByLabel("Password").fill("farajaland");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).waitFor();
    const consentText = (await page.locator("main").textContent()) ?? "";
    expect(consentText).toContain("Health Insurance Enrolment");
    expect(consentText).toContain("To enrol you in national health insurance");
    await Promise.all([page.waitForURL(new RegExp(`^http://${callbackHost}/callback`)), page.getByRole("button", { name: "Allow" }).click()]);
    expect(new URL(page.url()).searchParams.get("status")).toBe("granted");
    await context.close();

    const data = await read(fullQuery);
    expect(data.body).toEqual({
      data: { person: { nic, permanentAddress: "Plot 7, Zobwe Avenue, Ilanga", vehicles: [{ regNo: "FJ-1107-CE" }, { regNo: "FJ-0093-MC" }] } },
    });

    // 6. The DMT grant for vehicles is revoked: the next query asking for vehicles is FORBIDDEN and DMT is not called.
    const grants = await ops.grants(admin!, credentials.clientId);
    const vehiclesGrant = grants.find((g) => g.coordinate === "Person.vehicles");
    expect(vehiclesGrant).toBeDefined();
    expect((await ops.revoke(admin!, vehiclesGrant!.id, "The insurer no longer needs vehicle data")).errors).toBeUndefined();
    const dmtCallsBefore = await metricCount(`${ndx.urls["dmt-legacy"]}/metrics`);
    const afterRevoke = await waitFor(1000, async () => {
      const answer = await read(fullQuery);
      return answer.body.errors?.[0]?.extensions["code"] === "FORBIDDEN" ? answer : undefined;
    });
    expect(afterRevoke.body.data ?? null).toBeNull();
    expect(JSON.stringify(afterRevoke.body.errors)).toContain("Person.vehicles");
    expect(await metricCount(`${ndx.urls["dmt-legacy"]}/metrics`)).toBe(dmtCallsBefore);
    // What is still granted still answers.
    const address = await read(`{ person(nic: "${nic}") { permanentAddress } }`);
    expect(address.body).toEqual({ data: { person: { permanentAddress: "Plot 7, Zobwe Avenue, Ilanga" } } });

    // 7. The application is suspended: its next request is refused, with a token issued before the suspension too.
    expect((await ops.suspend(admin!, credentials.clientId, "Audit of the enrolment service")).errors).toBeUndefined();
    const suspended = await waitFor(1000, async () => {
      const answer = await read(`{ person(nic: "${nic}") { permanentAddress } }`);
      return answer.body.errors?.[0]?.extensions["code"] === "FORBIDDEN" ? answer : undefined;
    });
    expect(suspended.body.errors?.[0]?.extensions["reasons"]).toEqual(["application suspended"]);
    token = await appToken().catch(() => token);
    const stillSuspended = await read(`{ person(nic: "${nic}") { permanentAddress } }`);
    expect(stillSuspended.body.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");

    // No part was restarted along the way.
    expect(ndx.output()).not.toMatch(/restarting|exited with/i);
  }, 240_000);
});
