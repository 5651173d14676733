/**
 * The source material's flow, as a consumer application and a citizen live it, against `npm start`: the app's query
 * answers CONSENT_REQUIRED with a URL; the citizen opens it in a real browser (Chromium), signs in, allows; the
 * browser lands on the app's registered callback with status and state; the same query then returns data from all
 * three providers; the citizen revokes in the portal; the next query asks for consent again. A minor's request is
 * answered by her guardian, and the gateway then returns the minor's data. Then the audit trail verifies.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "@ndx/platform";
import { consumerToken, startNdx, type Started } from "./launcher.ts";

const root = resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "ndx-flow-"));
let ndx: Started;
let browser: Browser;
let callback: { port: number; received: URL[]; close(): void };

beforeAll(async () => {
  ndx = await startNdx(dataDir);
  // The passport application's registered callback is http://localhost:5173/callback: a real stand-in server,
  // reached by the browser through --host-rules.
  const received: URL[] = [];
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/callback") === true) received.push(new URL(req.url, "http://localhost:5173"));
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Passport</title><h1>Back at the passport office</h1>");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  callback = { port: (server.address() as AddressInfo).port, received, close: () => server.close() };
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--host-rules=MAP localhost:5173 127.0.0.1:${callback.port}`,
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  callback?.close();
  if (ndx !== undefined) expect(await ndx.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

const nic = "199012345678";
const query = `{ person(nic: "${nic}") { fullName dateOfBirth permanentAddress vehicles { regNo } } }`;

async function ask(token: string) {
  const response = await fetch(`${ndx.urls["gateway"]}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-purpose": "passport-application" },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions: Record<string, string> }[] };
}

describe("consent, from the consumer's query to the citizen's browser and back", () => {
  it("is asked, granted in the portal, answered from three providers, revoked, and asked again", async () => {
    const token = await consumerToken(ndx.urls["identity-provider"] ?? "", "passport-app");

    const first = await ask(token);
    const required = first.errors?.[0]?.extensions;
    expect(required?.["code"]).toBe("CONSENT_REQUIRED");
    const consentUrl = new URL(required?.["consentUrl"] ?? "");
    expect(consentUrl.origin).toBe(ndx.urls["consent-engine"]);

    // The application sends the citizen to the portal with its callback and state.
    consentUrl.searchParams.set("redirect_uri", "http://localhost:5173/callback");
    consentUrl.searchParams.set("state", "passport-42");
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(consentUrl.toString());
    await page.getByLabel("NIC number or staff username").fill(nic);
    await page.getByLabel("Password").fill("farajaland");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("Permanent address");
    expect(text).toContain("Vehicles you own");
    mkdirSync(resolve(root, "reports/screenshots"), { recursive: true });
    const shot = resolve(root, "reports/screenshots/e2e-consent-page.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`consent page (end to end): ${shot}`);
    await Promise.all([page.waitForURL(/^http:\/\/localhost:5173\/callback/), page.getByRole("button", { name: "Allow" }).click()]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get("status")).toBe("granted");
    expect(landed.searchParams.get("state")).toBe("passport-42");
    expect(landed.searchParams.get("consent_id")).toBe(required?.["consentRequestId"]);
    expect(callback.received).toHaveLength(1);

    expect(await ask(token)).toEqual({
      data: {
        person: {
          fullName: "Chikondi Emmanuel Mulenga",
          dateOfBirth: "1990-07-22",
          permanentAddress: "Plot 7, Zobwe Avenue, Ilanga",
          vehicles: [{ regNo: "FJ-1107-CE" }, { regNo: "FJ-0093-MC" }],
        },
      },
    });

    // The citizen revokes in My consents; the very next query is asked for consent again.
    await page.goto(`${ndx.urls["consent-engine"]}/my/consents`);
    await Promise.all([page.waitForURL(/notice=revoked/), page.getByRole("button", { name: /Revoke consent for/ }).first().click()]);
    const after = await ask(token);
    expect(after.errors?.[0]?.extensions["code"]).toBe("CONSENT_REQUIRED");
    await context.close();
  });

  it("a minor's request is answered by her guardian in the portal; the gateway then returns the minor's data", async () => {
    const token = await consumerToken(ndx.urls["identity-provider"] ?? "", "passport-app");
    const chipo = `{ person(nic: "201405090231") { fullName dateOfBirth permanentAddress } }`;
    const askFor = async () =>
      (await (
        await fetch(`${ndx.urls["gateway"]}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-purpose": "passport-application" },
          body: JSON.stringify({ query: chipo }),
        })
      ).json()) as { data?: unknown; errors?: { extensions: Record<string, string> }[] };
    const required = (await askFor()).errors?.[0]?.extensions;
    expect(required?.["code"]).toBe("CONSENT_REQUIRED");
    // Her mother, named her guardian in the households register, answers it (no redirect: the inbox's way).
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(required?.["consentUrl"] ?? "");
    await page.getByLabel("NIC number or staff username").fill("198503150123");
    await page.getByLabel("Password").fill("farajaland");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "You are answering for Chipo, your child" }).waitFor();
    await Promise.all([page.waitForURL(/\/consent\//), page.getByRole("button", { name: "Allow" }).click()]);
    await context.close();
    expect(await askFor()).toEqual({ data: { person: { fullName: "Chipo Natasha Phiri", dateOfBirth: "2014-05-09", permanentAddress: "14 Msasa Road, Isamba, Ibombo" } } });
  });

  it("works for the example application (npm run example): apply, allow in the portal, and the details are shown", async () => {
    // The passport office of examples/passport-app as its own process, at its registered callback's address.
    const example = spawn(process.execPath, ["examples/passport-app/src/main.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "0", PUBLIC_URL: "http://localhost:5173", GATEWAY_URL: ndx.urls["gateway"] ?? "", OIDC_ISSUER: ndx.urls["identity-provider"] ?? "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const listening = await new Promise<string>((resolve, reject) => {
        let out = "";
        example.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const url = /listening on (http:\/\/\S+)\)/.exec(out)?.[1];
          if (url !== undefined) resolve(url);
        });
        example.once("exit", (code) => reject(new Error(`the example exited (${String(code)}): ${out}`)));
      });
      const exampleBrowser = await chromium.launch({
        executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--host-rules=MAP localhost:5173 ${new URL(listening).host}`],
      });
      try {
        const page = await exampleBrowser.newPage();
        await page.goto("http://localhost:5173/");
        await page.getByLabel("Your NIC number").fill("200101010011");
        await page.getByRole("button", { name: "Continue" }).click();
        await page.getByLabel("NIC number or staff username").fill("200101010011");
        await page.getByLabel("Password").fill("farajaland");
        await page.getByRole("button", { name: "Sign in" }).click();
        await Promise.all([page.waitForURL(/^http:\/\/localhost:5173\/callback/), page.getByRole("button", { name: "Allow" }).click()]);
        await page.getByRole("heading", { name: "Your details" }).waitFor();
        const details = (await page.locator("main").textContent()) ?? "";
        for (const text of ["Thandiwe Grace Zulu", "2001-01-01", "House 22, Kasanka Street, Pili", "Vehicles you own"]) expect(details).toContain(text);
        // The callback's state was for one use: opened again, it is refused.
        const again = await page.goto(page.url());
        expect(again?.status()).toBe(400);
      } finally {
        await exampleBrowser.close();
      }
    } finally {
      example.kill("SIGINT");
    }
  });

  it("leaves an audit trail that npm run audit:verify finds intact (after npm start stops)", async () => {
    expect(await ndx.stop()).toBe(0);
    const verify = spawnSync("npm", ["run", "--silent", "audit:verify"], {
      cwd: root,
      env: { ...process.env, PGLITE_DIR: join(dataDir, "gateway") },
      encoding: "utf8",
    });
    expect(verify.stdout).toMatch(/Audit trail intact: \d+ events/);
    expect(verify.status).toBe(0);

    // Someone with owner rights rewrites one event directly in the database: the verifier names it.
    const db = await openDb({ dataDir: join(dataDir, "gateway"), schema: "gateway" });
    const victim = await db.query<{ seq: string; id: string }>("SELECT seq, id FROM audit_event WHERE decision = 'permit' ORDER BY seq LIMIT 1");
    await db.exec("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
    await db.query("UPDATE audit_event SET consumer = 'nobody' WHERE id = $1", [victim.rows[0]?.id]);
    await db.close();
    const broken = spawnSync("npm", ["run", "--silent", "audit:verify"], {
      cwd: root,
      env: { ...process.env, PGLITE_DIR: join(dataDir, "gateway") },
      encoding: "utf8",
    });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`event ${victim.rows[0]?.seq} (id ${victim.rows[0]?.id})`);
  });
});
