/**
 * The portal's protections below the browser: HTML escaping, session cookie attributes, one-time form tokens bound
 * to session, action and target, the return URL, and the HTTP-level refusals (foreign Origin, no session,
 * unregistered redirect_uri).
 */
import { openDb, type Db } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareConsentDatabase } from "../src/index.ts";
import { createFormTokens } from "../src/portal/formTokens.ts";
import { consumerReturnUrl } from "../src/portal/consumerReturn.ts";
import { html } from "@ndx/platform";
import { createSessionStore } from "../src/portal/sessions.ts";
import { passportRedirect, passportRequest, startSystem, type TestSystem } from "./support/system.ts";

describe("html escaping", () => {
  it("escapes every interpolated value, nested templates stay as they are", () => {
    const evil = `<script>alert("x")</script>' onmouseover='x`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x</p>",
    );
    expect(html`<ul>${["a&b", html`<li>${"<i>"}</li>`]}</ul>`.value).toBe("<ul>a&amp;b<li>&lt;i&gt;</li></ul>");
  });
});

describe("sessions and form tokens", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ schema: "consent" });
    await prepareConsentDatabase(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it("sets HttpOnly, SameSite=Lax cookies; Secure with a __Host- name outside development", async () => {
    const dev = await createSessionStore({ db, secure: false }).create({});
    expect(dev.cookie).toMatch(/^ndx_portal=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600$/);
    const prod = await createSessionStore({ db, secure: true }).create({});
    expect(prod.cookie).toMatch(/^__Host-ndx_portal=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=3600$/);
    const { rows } = await db.query<{ id_hash: string }>("SELECT id_hash FROM portal_sessions");
    const cookieIds = [dev.cookie, prod.cookie].map((c) => /=([^;]+)/.exec(c)?.[1]);
    for (const row of rows) expect(cookieIds).not.toContain(row.id_hash);
  });

  it("consumes a form token once, only for its session, action and target", async () => {
    const tokens = createFormTokens({ db });
    const token = await tokens.issue("session-a", "decide", "cns_1", { redirectUri: passportRedirect });
    const binding = { sessionHash: "session-a", action: "decide" as const, target: "cns_1" };
    await expect(tokens.consumeNow(token, { ...binding, sessionHash: "session-b" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(tokens.consumeNow(token, { ...binding, action: "revoke" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(tokens.consumeNow(token, { ...binding, target: "cns_2" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await tokens.consumeNow(token, binding)).toEqual({ redirectUri: passportRedirect });
    await expect(tokens.consumeNow(token, binding)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(tokens.consumeNow("short", binding)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const expiring = createFormTokens({ db, ttlSeconds: 1, now: () => new Date(Date.now() - 5000) });
    const old = await expiring.issue("session-a", "revoke", "cns_3");
    await expect(tokens.consumeNow(old, { sessionHash: "session-a", action: "revoke", target: "cns_3" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("expired") as unknown,
    });
  });

  it("builds the return URL with consent_id, status and the consumer's state", () => {
    expect(consumerReturnUrl(passportRedirect, { consentId: "cns_x", status: "granted", state: "a b&c" })).toBe(
      "http://localhost:5173/callback?consent_id=cns_x&status=granted&state=a+b%26c",
    );
  });
});

describe("portal over HTTP", () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.close();
  });

  it("starts an OIDC sign-in with PKCE for a valid link, and sets a safe cookie", async () => {
    const consent = (await (await system.api("/v1/consent-requests", passportRequest)).json()) as { consentUrl: string };
    const response = await fetch(`${consent.consentUrl}?redirect_uri=${encodeURIComponent(passportRedirect)}&state=s`, { redirect: "manual" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(`${system.idp.issuer}/auth`);
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(location.searchParams.get("redirect_uri")).toBe(`${system.portalUrl}/auth/callback`);
    expect(location.searchParams.get("state")).toMatch(/.{20,}/);
    expect(response.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("refuses an unregistered redirect_uri before any sign-in, and a form from another origin", async () => {
    const consent = (await (await system.api("/v1/consent-requests", passportRequest)).json()) as { consentUrl: string; consentId: string };
    const tampered = await fetch(`${consent.consentUrl}?redirect_uri=${encodeURIComponent("https://evil.example/cb")}`, { redirect: "manual" });
    expect(tampered.status).toBe(400);
    expect(tampered.headers.get("location")).toBeNull();
    expect(tampered.headers.get("set-cookie")).toBeNull();
    const foreign = await fetch(`${system.portalUrl}/consent/${consent.consentId}`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "decision=grant&durationDays=7&token=x",
    });
    expect(foreign.status).toBe(403);
    const noSession = await fetch(`${system.portalUrl}/consent/${consent.consentId}`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: system.portalUrl, "content-type": "application/x-www-form-urlencoded" },
      body: "decision=grant&durationDays=7&token=x",
    });
    expect(noSession.status).toBe(401);
    const stored = (await (await system.api(`/v1/consent-requests/${consent.consentId}`)).json()) as { status: string };
    expect(stored.status).toBe("PENDING");
    expect((await fetch(`${system.portalUrl}/consent/cns_AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
  });
});
