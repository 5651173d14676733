/** Sealed session cookies and form tokens on their own: what a browser can and cannot do with them. */
import { describe, expect, it } from "vitest";
import { createFormTokens, createSessionCookies, FormTokenError, loadConsoleConfig } from "../src/index.ts";

const request = (cookie: string) => new Request("http://console.test/", { headers: { cookie } });
const user = { username: "exchange.admin", name: "exchange.admin", roles: ["exchange_admin"], accessToken: "eyJ.token.sig", accessTokenExpiresAt: 2_000_000 };

describe("session cookies", () => {
  it("outside development: __Host- name, Secure, HttpOnly, SameSite=Lax; read back only with the same secret and before they end", () => {
    let now = 1_000_000;
    const cookies = createSessionCookies({ secret: "a".repeat(40), secure: true, ttlSeconds: 60, now: () => now });
    const session = cookies.start({ user });
    const header = cookies.cookie(session);
    expect(header).toMatch(/^__Host-ndx_console=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=60$/);
    const value = header.slice(header.indexOf("=") + 1, header.indexOf(";"));
    expect(cookies.read(request(`__Host-ndx_console=${value}`))).toEqual(session);
    expect(Buffer.from(value, "base64url").toString("latin1")).not.toContain("eyJ.token.sig");
    expect(createSessionCookies({ secret: "b".repeat(40), secure: true }).read(request(`__Host-ndx_console=${value}`))).toBeUndefined();
    expect(cookies.read(request(`ndx_console=${value}`))).toBeUndefined();
    now += 60_000;
    expect(cookies.read(request(`__Host-ndx_console=${value}`))).toBeUndefined();
    expect(cookies.clear()).toContain("Max-Age=0");
  });
});

describe("form tokens", () => {
  it("bind a session and a form's action, expire, and are used once", () => {
    let now = 1_000_000;
    const tokens = createFormTokens({ secret: "s".repeat(40), ttlSeconds: 60, now: () => now });
    const token = tokens.issue("session-1", "/members");
    const reason = (f: () => void) => {
      try {
        f();
        return "accepted";
      } catch (error) {
        return error instanceof FormTokenError ? error.reason : "other";
      }
    };
    expect(reason(() => tokens.consume(token, "session-2", "/members"))).toBe("invalid");
    expect(reason(() => tokens.consume(token, "session-1", "/applications"))).toBe("invalid");
    expect(reason(() => tokens.consume(token, "session-1", "/members"))).toBe("accepted");
    expect(reason(() => tokens.consume(token, "session-1", "/members"))).toBe("used");
    const late = tokens.issue("session-1", "/members");
    now += 60_000;
    expect(reason(() => tokens.consume(late, "session-1", "/members"))).toBe("invalid");
    expect(reason(() => tokens.consume("not a token", "session-1", "/members"))).toBe("invalid");
  });
});

describe("configuration", () => {
  it("has development defaults, and outside development wants real secrets and an https console URL", () => {
    const dev = loadConsoleConfig({});
    expect(dev).toMatchObject({ PORT: 8082, CONSOLE_URL: "http://localhost:8082", CONSOLE_OIDC_CLIENT_ID: "ndx-console", CONSOLE_OIDC_CLIENT_SECRET: "dev-console-secret", GATEWAY_URL: "http://localhost:4000", GATEWAY_AUDIENCE: "http://localhost:4000/graphql", OIDC_ISSUER: "http://localhost:9000" });
    expect(() => loadConsoleConfig({ NDX_ENV: "production" })).toThrow(/CONSOLE_OIDC_CLIENT_SECRET/);
    expect(() => loadConsoleConfig({ NDX_ENV: "production", CONSOLE_OIDC_CLIENT_SECRET: "x".repeat(30), CONSOLE_SESSION_SECRET: "y".repeat(40) })).toThrow(/CONSOLE_URL: must be https/);
    expect(loadConsoleConfig({ NDX_ENV: "production", CONSOLE_URL: "https://console.example", CONSOLE_OIDC_CLIENT_SECRET: "x".repeat(30), CONSOLE_SESSION_SECRET: "y".repeat(40) }).CONSOLE_SESSION_SECRET).toBe("y".repeat(40));
  });
});
