/**
 * The example application's own steps, in process against a stand-in gateway on a real HTTP port (tests/e2e/
 * exampleApp.test.ts runs it against `npm start` in Chromium): the consent redirect with a registered redirect URI and
 * a single-use state bound to the browser, the answer once granted, and what an attacker tries — another site's
 * form, oversized or malformed input, a forged, replayed or foreign state, an unknown path — refused without a lookup.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createPendingConsents } from "../src/pendingConsents.ts";
import { createPassportApp, type PassportApp } from "../src/server.ts";

let gateway: Server;
let asked: { nic: unknown; purpose: string | undefined; authorization: string | undefined }[] = [];
/** What the stand-in gateway answers next. */
let answer: unknown;

beforeAll(async () => {
  gateway = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { variables } = JSON.parse(body) as { variables: { nic: unknown } };
      asked.push({ nic: variables.nic, purpose: req.headers["x-purpose"] as string | undefined, authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", () => resolve()));
});
afterAll(() => void gateway.close());

const consentRequired = {
  errors: [{ message: "no consent", extensions: { code: "CONSENT_REQUIRED", consentUrl: "http://portal.test/consent/cns_1", consentRequestId: "cns_1" } }],
};
const applicant = { data: { person: { fullName: "Thandiwe <b>Grace</b> Zulu", dateOfBirth: "2001-01-01", permanentAddress: "House 22", vehicles: [] } } };

let app: PassportApp;
beforeEach(() => {
  asked = [];
  const config = loadConfig({ GATEWAY_URL: `http://127.0.0.1:${String((gateway.address() as AddressInfo).port)}`, PORT: "5173" });
  app = createPassportApp(config, { tokens: { get: () => Promise.resolve("app-token") }, pending: createPendingConsents() });
});

const apply = (body: string, headers: Record<string, string> = {}) =>
  app.fetch(new Request("http://localhost:5173/apply", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost:5173", ...headers }, body }));
const back = (query: string, cookie?: string) =>
  app.fetch(new Request(`http://localhost:5173/callback?${query}`, { headers: cookie === undefined ? {} : { cookie } }));

/** Applies for 200101010011 and follows the consent redirect: its state and the cookie the browser got. */
async function sendToPortal(): Promise<{ state: string; cookie: string; location: URL }> {
  answer = consentRequired;
  const response = await apply("nic=200101010011");
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get("location") ?? "");
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { state: location.searchParams.get("state") ?? "", cookie, location };
}

describe("the example passport application", () => {
  it("sends the citizen to the portal with its registered callback and a state bound to the browser", async () => {
    const { state, cookie, location } = await sendToPortal();
    expect(`${location.origin}${location.pathname}`).toBe("http://portal.test/consent/cns_1");
    expect(location.searchParams.get("redirect_uri")).toBe("http://localhost:5173/callback");
    expect(state).toMatch(/^[\w-]{32}$/);
    expect(cookie).toBe(`passport_state=${state}`);
    expect(asked).toEqual([{ nic: "200101010011", purpose: "passport-application", authorization: "Bearer app-token" }]);
  });

  it("asks again when the citizen comes back having allowed, and shows the answer escaped", async () => {
    const { state, cookie } = await sendToPortal();
    answer = applicant;
    const shown = await back(`consent_id=cns_1&status=granted&state=${state}`, cookie);
    const text = await shown.text();
    expect(shown.status).toBe(200);
    expect(text).toContain("Thandiwe &lt;b&gt;Grace&lt;/b&gt; Zulu");
    expect(text).not.toContain("<b>Grace");
    expect(shown.headers.get("set-cookie")).toContain("passport_state=; Path=/callback; Max-Age=0");
    expect(asked.map((a) => a.nic)).toEqual(["200101010011", "200101010011"]);
  });

  it("says so when the citizen declined, without asking the gateway again", async () => {
    const { state, cookie } = await sendToPortal();
    const declined = await back(`consent_id=cns_1&status=rejected&state=${state}`, cookie);
    expect([declined.status, await declined.text()]).toEqual([200, expect.stringContaining("You did not agree")]);
    expect(asked).toHaveLength(1);
  });

  it("refuses a state that is replayed, forged, from another browser, or for another consent", async () => {
    const first = await sendToPortal();
    const second = await sendToPortal();
    answer = applicant;
    const refused = [
      await back(`consent_id=cns_1&status=granted&state=${first.state}`), // no cookie: another browser
      await back(`consent_id=cns_1&status=granted&state=${first.state}`, second.cookie), // another browser's cookie
      await back(`consent_id=cns_1&status=granted&state=forged`, "passport_state=forged"),
      await back(`consent_id=cns_2&status=granted&state=${second.state}`, second.cookie), // another consent: spends it
      await back(`consent_id=cns_1&status=granted&state=${second.state}`, second.cookie), // and now replayed
      await back(`consent_id=cns_1&status=maybe&state=${first.state}`, first.cookie),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(asked).toHaveLength(2); // the two applications only
    // Used once, the state is gone.
    const used = await sendToPortal();
    expect((await back(`consent_id=cns_1&status=granted&state=${used.state}`, used.cookie)).status).toBe(200);
    expect((await back(`consent_id=cns_1&status=granted&state=${used.state}`, used.cookie)).status).toBe(400);
  });

  it("refuses another site's form, a malformed or oversized body, and a NIC that is not one, before asking", async () => {
    answer = applicant;
    expect((await apply("nic=200101010011", { origin: "https://evil.example" })).status).toBe(403);
    expect((await apply(`nic=200101010011&x=${"a".repeat(2000)}`)).status).toBe(413);
    expect((await apply("nic=200101010011", { "content-type": "application/json" })).status).toBe(415);
    for (const nic of ["", "2001010100", "20010101001x", "200101010011%00", "<script>"]) expect((await apply(`nic=${nic}`)).status, nic).toBe(400);
    expect(asked).toEqual([]);
    expect((await apply("nic=200101010011")).status).toBe(200);
  });

  it("answers other paths and methods as such, and an unusable consent URL as an error", async () => {
    expect((await app.fetch(new Request("http://localhost:5173/admin"))).status).toBe(404);
    expect((await app.fetch(new Request("http://localhost:5173/apply"))).status).toBe(405);
    answer = { errors: [{ extensions: { code: "CONSENT_REQUIRED", consentUrl: "javascript:alert(1)", consentRequestId: "cns_1" } }] };
    const bad = await apply("nic=200101010011");
    expect([bad.status, bad.headers.get("location")]).toEqual([502, null]);
    answer = { errors: [{ message: "SELECT * FROM person failed", extensions: { code: "INTERNAL_SERVER_ERROR" } }] };
    const failed = await apply("nic=200101010011");
    expect(failed.status).toBe(502);
    expect(await failed.text()).not.toContain("SELECT");
  });
});
