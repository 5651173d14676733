/**
 * What the identity provider's tests do as its clients: client-credentials requests, and a browser-less sign-in by
 * authorization code + PKCE for a web client (the portal's, the console's) that follows every redirect by hand.
 */
import { createHash, randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { RunningIdentityProvider, WebClientOptions } from "../../src/index.ts";

const basic = (user: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(user)}:${encodeURIComponent(secret)}`).toString("base64")}`;

export async function clientCredentials(base: string, user: string, secret: string, extra: Record<string, string> = {}) {
  return fetch(`${base}/token`, {
    method: "POST",
    headers: { authorization: basic(user, secret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", ...extra }),
  });
}

/** A tiny browser: follows redirects by hand and keeps cookies, so the test sees every hop. */
class Browser {
  readonly cookies = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string> | undefined), cookie: this.cookieHeader() },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair !== undefined && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
  /** Follows redirects until one leaves `origin` or a page is shown. */
  async follow(response: Response, origin: string): Promise<Response | URL> {
    let current = response;
    while (current.status >= 300 && current.status < 400) {
      const next = new URL(current.headers.get("location") ?? "", current.url || origin);
      await current.body?.cancel();
      if (next.origin !== origin) return next;
      current = await this.go(next.toString());
    }
    return current;
  }
  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export interface LoginResult {
  readonly status: number;
  readonly html?: string;
  readonly tokens?: Record<string, string>;
}

/** Signs `username` in as `client` would; with `resource`, asks for an access token for it; `extra` goes to /auth. */
export async function login(
  idp: RunningIdentityProvider,
  client: WebClientOptions,
  username: string,
  password: string,
  resource?: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<LoginResult> {
  const redirectUri = `${client.url}/auth/callback`;
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const browser = new Browser();
  const authorize = new URL(`${idp.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: "code",
    scope: "openid profile",
    redirect_uri: redirectUri,
    state: "st-1",
    nonce: "n-1",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...(resource === undefined ? {} : { resource }),
    ...extra,
  }).toString();
  const loginPage = await browser.follow(await browser.go(authorize.toString()), idp.issuer);
  if (loginPage instanceof URL) throw new Error(`unexpected redirect to ${loginPage.href}`);
  const html = await loginPage.text();
  const action = /action="([^"]+\/login)"/.exec(html)?.[1];
  if (action === undefined) return { status: loginPage.status, html };
  const submitted = await browser.go(new URL(action, idp.issuer).toString(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password }),
  });
  if (submitted.status !== 303 && submitted.status !== 302) {
    return { status: submitted.status, html: await submitted.text() };
  }
  const landed = await browser.follow(submitted, idp.issuer);
  if (!(landed instanceof URL)) throw new Error(`no redirect back: ${landed.status} ${await landed.text()}`);
  const code = landed.searchParams.get("code");
  expect(landed.origin + landed.pathname).toBe(redirectUri);
  expect(landed.searchParams.get("state")).toBe("st-1");
  const token = await fetch(`${idp.issuer}/token`, {
    method: "POST",
    headers: { authorization: basic(client.clientId, client.clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: code ?? "",
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...(resource === undefined ? {} : { resource }),
    }),
  });
  return { status: token.status, tokens: (await token.json()) as Record<string, string> };
}
