/**
 * Signing in to the console at the real development identity provider: a page without a session starts the sign-in
 * (code + PKCE, the gateway's resource), staff come back with a session whose token the gateway accepts as theirs,
 * a citizen is turned away, a tampered cookie is no session, an expired token means signing in again, sign-out.
 */
import { metricValue } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleSystem, Visitor, formToken, passwords, audience, type ConsoleSystem } from "./support/system.ts";

let system: ConsoleSystem;
let clock = Date.now();
beforeAll(async () => {
  system = await startConsoleSystem({ now: () => clock });
});
afterAll(async () => {
  await system?.close();
});

describe("signing in", () => {
  it("sends a visitor without a session to the provider's sign-in, with PKCE and the gateway as the resource", async () => {
    const visitor = new Visitor(system.url);
    const first = await visitor.go(`${system.url}/members`);
    expect(first.status).toBe(303);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const cookie = first.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^ndx_console=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const authorize = new URL(first.headers.get("location") ?? "");
    expect(authorize.origin).toBe(new URL(system.idp.issuer).origin);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: "ndx-console",
      response_type: "code",
      redirect_uri: `${system.url}/auth/callback`,
      code_challenge_method: "S256",
      resource: audience,
      scope: "openid profile",
    });
    expect(system.gateway.calls).toEqual([]);
  });

  it("signs staff in, back to the page asked for, and calls the gateway with their own token", async () => {
    const visitor = new Visitor(system.url);
    const landed = await visitor.signIn(await visitor.get("/members"), "exchange.admin", passwords["exchange.admin"] ?? "");
    expect(landed.url).toBe(`${system.url}/members`);
    expect(landed.response.status).toBe(200);
    const page = await landed.response.text();
    expect(page).toContain("<h1>Members</h1>");
    expect(page).toContain("Department of Immigration and Emigration");
    expect(page).toContain("Signed in as <strong>exchange.admin</strong> (exchange_admin)");
    expect(system.gateway.calls.at(-1)).toEqual({
      operationName: "ConsoleMembers",
      variables: {},
      caller: { sub: "exchange.admin", kind: "staff", roles: ["exchange_admin"], clientId: "ndx-console" },
    });
    // The start page sends each person to the first page their roles use.
    const home = await visitor.go(`${system.url}/`);
    expect([home.status, home.headers.get("location")]).toEqual([303, "/members"]);
    // The session cookie is sealed: neither the token nor the name can be read from it.
    const sealed = visitor.cookies.get(new URL(system.url).origin)?.get("ndx_console") ?? "";
    expect(Buffer.from(sealed, "base64url").toString("latin1")).not.toContain("exchange.admin");
  });

  it("turns a citizen away: the console is for staff", async () => {
    const visitor = new Visitor(system.url);
    const landed = await visitor.signIn(await visitor.get("/members"), "199012345678", passwords["citizen"] ?? "farajaland");
    expect(landed.response.status).toBe(403);
    expect(await landed.response.text()).toContain("not a staff account");
    expect((await visitor.go(`${system.url}/members`)).status).toBe(303);
  });

  it("a changed session cookie is no session; an expired token means signing in again; sign-out ends the session", async () => {
    const visitor = new Visitor(system.url);
    await visitor.signIn(await visitor.get("/grants"), "drp.owner", passwords["drp.owner"] ?? "");
    expect((await visitor.go(`${system.url}/`)).headers.get("location")).toBe("/requests");
    const jar = visitor.cookies.get(new URL(system.url).origin);
    const sealed = jar?.get("ndx_console") ?? "";
    expect((await visitor.go(`${system.url}/grants`)).status).toBe(200);

    const flipped = `${sealed.slice(0, 30)}${sealed[30] === "A" ? "B" : "A"}${sealed.slice(31)}`;
    jar?.set("ndx_console", flipped);
    expect((await visitor.go(`${system.url}/grants`)).status).toBe(303);
    jar?.set("ndx_console", sealed);

    clock += 16 * 60_000; // the access token (15 minutes) has expired
    // A form sent with an expired token changes nothing and says so.
    const late = await visitor.post("/grants/g-1/revoke", { token: "x", reason: "r" });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("Nothing was changed");
    // A page starts the sign-in again; the provider still knows the person, so they come straight back.
    const again = await visitor.go(`${system.url}/grants`);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toContain(`${system.idp.issuer}/auth?`);
    const back = await visitor.follow(again, `${system.url}/grants`);
    expect(back.url).toBe(`${system.url}/grants`);
    expect(back.response.status).toBe(200);

    const page = await (await visitor.go(`${system.url}/grants`)).text();
    const out = await visitor.post("/logout", { token: formToken(page, "/logout") });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toContain(`${system.idp.issuer}/session/end?`);
    expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect((await visitor.go(`${system.url}/grants`)).status).toBe(303);
  });

  it("/health, /ready (the gateway and the identity provider answer) and /metrics", async () => {
    expect((await fetch(`${system.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${system.url}/ready`)).json()).toEqual({ status: "ready", checks: { gateway: "ok", identityProvider: "ok" } });
    system.gateway.down = true;
    const ready = await fetch(`${system.url}/ready`);
    system.gateway.down = false;
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { gateway: "the gateway answered HTTP 503" } });
    const metrics = await (await fetch(`${system.url}/metrics`)).text();
    expect(metricValue(metrics, "ndx_http_request_duration_seconds_count", { route: "/members", status: "303", service: "console" })).toBeGreaterThan(0);
  });
});
