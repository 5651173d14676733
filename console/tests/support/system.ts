/**
 * The console for tests, on real HTTP: the development identity provider (with the console's client registered at
 * the console's URL), a stand-in gateway that checks the staff's tokens with the provider's keys, and the console,
 * each on a free port. The console listens first so that its URL can be the client's redirect URI.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { consoleClientId, createAccountDirectory, developmentUsers, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "@ndx/identity-provider";
import { createLogger, defaultFixturesFile, listen } from "@ndx/platform";
import { createConsole, type Console, type ConsoleOptions } from "../../src/index.ts";
import { startStandInGateway, type StandInGateway } from "./standInGateway.ts";

export const audience = "http://localhost:4000/graphql";
const sessionSecret = "console-test-session-secret-0123456789";
const clientSecret = "console-test-client-secret";

export interface ConsoleSystem {
  readonly url: string;
  readonly idp: RunningIdentityProvider;
  readonly gateway: StandInGateway;
  readonly app: Console;
  close(): Promise<void>;
}

export async function startConsoleSystem(options: Partial<Pick<ConsoleOptions, "now">> = {}): Promise<ConsoleSystem> {
  let handler: RequestListener = (_req, res) => void res.writeHead(503).end();
  const http = await listen((req, res) => handler(req, res), 0);
  const url = `http://localhost:${http.port}`;
  const data = loadFarajaland(defaultFixturesFile);
  const keysDir = mkdtempSync(join(tmpdir(), "ndx-console-idp-"));
  const idp = await startIdentityProvider({
    accounts: createAccountDirectory({ citizens: data.citizens, users: developmentUsers(data.users, loadExchangeSeed().users) }),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    console: { url, clientId: consoleClientId, clientSecret },
    keys: await loadOrCreateKeys(keysDir),
    audience,
    logger: createLogger("identity-provider", "silent"),
  });
  const gateway = await startStandInGateway({ issuer: idp.issuer, audience });
  const app = createConsole({
    publicUrl: url,
    oidc: { issuer: idp.issuer, clientId: consoleClientId, clientSecret },
    gatewayUrl: gateway.url,
    gatewayAudience: audience,
    sessionSecret,
    development: true,
    logger: createLogger("console", "silent"),
    ...options,
  });
  handler = app.nodeHandler;
  return {
    url,
    idp,
    gateway,
    app,
    async close() {
      await http.close();
      await gateway.close();
      await idp.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** A tiny browser: redirects followed by hand, cookies kept per origin; every hop is visible to the test. */
export class Visitor {
  readonly cookies = new Map<string, Map<string, string>>();
  readonly consoleUrl: string;
  constructor(consoleUrl: string) {
    this.consoleUrl = consoleUrl;
  }

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), value);
    }
    this.cookies.set(origin, jar);
    return response;
  }

  /** Follows redirects to the end; the last response. */
  async follow(response: Response, from: string): Promise<{ response: Response; url: string }> {
    let current = response;
    let at = from;
    for (let hop = 0; hop < 20 && current.status >= 300 && current.status < 400; hop += 1) {
      at = new URL(current.headers.get("location") ?? "", at).toString();
      await current.body?.cancel();
      current = await this.go(at);
    }
    return { response: current, url: at };
  }

  /** GET a console page, following redirects. */
  async get(path: string): Promise<{ response: Response; url: string }> {
    const url = new URL(path, this.consoleUrl).toString();
    return this.follow(await this.go(url), url);
  }

  /** POST a form to the console from its own origin (no redirects followed). */
  post(path: string, form: Record<string, string | string[]>, origin = this.consoleUrl): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.go(new URL(path, this.consoleUrl).toString(), { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", origin } });
  }

  /** Signs in at the identity provider from wherever `start` leads (its sign-in page), and comes back. */
  async signIn(start: { response: Response; url: string }, username: string, password: string): Promise<{ response: Response; url: string }> {
    const page = await start.response.text();
    const action = /<form method="post" action="([^"]+\/login)"/.exec(page)?.[1];
    if (action === undefined) throw new Error(`no sign-in form at ${start.url} (HTTP ${start.response.status})`);
    const url = new URL(action.replaceAll("&amp;", "&"), start.url).toString();
    const submitted = await this.go(url, { method: "POST", body: new URLSearchParams({ username, password }), headers: { "content-type": "application/x-www-form-urlencoded" } });
    return this.follow(submitted, url);
  }
}

/** The form token of the form posting to `action` on a page. */
export function formToken(page: string, action: string): string {
  const form = page.split("<form").find((f) => f.includes(`action="${action}"`));
  const token = /name="token" value="([^"]+)"/.exec(form ?? "")?.[1];
  if (token === undefined) throw new Error(`no form to ${action}`);
  return token;
}

export const passwords: Readonly<Record<string, string>> = Object.fromEntries(
  [...loadFarajaland(defaultFixturesFile).users, ...loadExchangeSeed().users].map((u) => [u.username, u.password]),
);
