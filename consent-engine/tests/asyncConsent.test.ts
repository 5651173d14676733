/**
 * Asynchronous consent (issue 18 item 8) over real HTTP with the real identity provider: a consumer asks without the
 * citizen present; the request waits in the citizen's portal inbox (My consents says how many on sign-in) and is
 * answered there, with no redirect; the consumer learns the answer by polling with its own token (another consumer is
 * told there is no such request).
 */
import { clientCredentialsToken } from "@ndx/platform/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { fixtures, passportRequest, startSystem, type TestSystem } from "./support/system.ts";

const citizen = "198503150123";
let system: TestSystem;
const secret = (id: string) => fixtures.consumers.find((c) => c.id === id)?.clientSecret ?? "";
const token = async (id: string) =>
  (await clientCredentialsToken({ issuer: system.idp.issuer, clientId: id, clientSecret: secret(id), audience: "http://localhost:4000/graphql" })).accessToken;
const poll = async (id: string, consumer = "passport-app") =>
  fetch(`${system.portalUrl}/consumer/v1/consent-requests/${id}`, { headers: { authorization: `Bearer ${await token(consumer)}` } });

let cookie = "";
/** As the signed-in citizen (one session: the form tokens are bound to it). */
async function portal(path: string, init: RequestInit = {}): Promise<Response> {
  if (cookie === "") {
    const sessions = createSessionStore({ db: system.db, secure: false });
    cookie = (await sessions.create({ user: { name: citizen, idToken: "unused", subject: citizen, kind: "citizen" } })).cookie.split(";")[0] ?? "";
  }
  const headers = new Headers(init.headers);
  headers.set("cookie", cookie);
  return fetch(`${system.portalUrl}${path}`, { ...init, headers, redirect: "manual" });
}

beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => system?.close());

describe("asynchronous consent", () => {
  it("waits in the inbox, is answered there without a redirect, and the consumer learns the answer by polling", async () => {
    const asked = (await (await system.api("/v1/consent-requests", { ...passportRequest, citizenId: citizen })).json()) as ConsentView;
    const first = await poll(asked.consentId);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ consentId: asked.consentId, status: "PENDING", decidedAt: null, consentUrl: asked.consentUrl });
    expect((await poll(asked.consentId, "benefits-app")).status).toBe(404);
    expect((await fetch(`${system.portalUrl}/consumer/v1/consent-requests/${asked.consentId}`)).status).toBe(401);

    // Signed in, the citizen sees that a request waits, and answers it from the inbox (no redirect_uri: no redirect).
    const inbox = await (await portal("/my/consents")).text();
    expect(inbox).toContain("1 request waits for your answer");
    expect(inbox).toContain(`href="/consent/${asked.consentId}"`);
    const question = await portal(`/consent/${asked.consentId}`);
    expect(question.status).toBe(200);
    const html = await question.text();
    const formToken = /name="token" value="([^"]+)"/.exec(html.slice(html.indexOf(`action="/consent/${asked.consentId}"`)))?.[1] ?? "";
    const answered = await portal(`/consent/${asked.consentId}`, {
      method: "POST",
      headers: { origin: system.portalUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: formToken, decision: "grant", durationDays: "7" }).toString(),
    });
    expect(answered.status).toBe(200);
    expect(answered.headers.get("location")).toBeNull();
    expect(await answered.text()).toContain("You gave your consent");

    const after = await poll(asked.consentId);
    expect(await after.json()).toMatchObject({ status: "ACTIVE", decidedAt: expect.any(String), expiresAt: expect.any(String) });
    expect(await (await portal("/my/consents")).text()).not.toContain("waits for your answer");
  });
});
