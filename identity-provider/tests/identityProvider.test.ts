import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccountDirectory,
  loadOrCreateKeys,
  startIdentityProvider,
  type RunningIdentityProvider,
} from "../src/index.ts";
import { localesFromAcceptLanguage } from "../src/signInTexts.ts";
import { clientCredentials, login as loginAs } from "./support/oidcClient.ts";

const data = loadFarajaland(defaultFixturesFile);
const audience = "http://localhost:4000/graphql";
const portal = { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" };
const login = (idp: RunningIdentityProvider, username: string, password: string, resource?: string) =>
  loginAs(idp, portal, username, password, resource);
const dataDir = mkdtempSync(join(tmpdir(), "ndx-idp-test-"));

async function start(): Promise<RunningIdentityProvider> {
  return startIdentityProvider({
    accounts: createAccountDirectory(data),
    consumers: data.consumers,
    portal,
    keys: await loadOrCreateKeys(dataDir),
    audience,
    logger: createLogger("identity-provider-test", "silent"),
  });
}

describe("development identity provider", () => {
  let idp: RunningIdentityProvider;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    idp = await start();
    jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  });
  afterAll(async () => {
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers discovery, JWKS (public keys only) and health", async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery["issuer"]).toBe(idp.issuer);
    expect(discovery["jwks_uri"]).toBe(`${idp.issuer}/jwks`);
    expect(discovery["grant_types_supported"]).toEqual(expect.arrayContaining(["client_credentials", "authorization_code"]));
    expect(discovery["code_challenge_methods_supported"]).toEqual(["S256"]);
    const set = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(set.keys.length).toBeGreaterThan(0);
    for (const key of set.keys) {
      expect(key).toHaveProperty("kid");
      expect(key).not.toHaveProperty("d");
      expect(key).not.toHaveProperty("p");
    }
    expect((await fetch(`${idp.issuer}/ready`)).status).toBe(200);
    expect(statSync(join(dataDir, "keys.json")).mode & 0o077).toBe(0);
  });

  it("gives a consumer a JWT access token for the gateway by client credentials", async () => {
    const response = await clientCredentials(idp.issuer, "passport-app", "dev-passport-secret");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(decodeProtectedHeader(body.access_token).typ).toBe("at+jwt");
    const { payload } = await jwtVerify<JWTPayload & Record<string, unknown>>(body.access_token, jwks, {
      issuer: idp.issuer,
      audience,
      algorithms: ["RS256"],
    });
    expect(payload.sub).toBe("passport-app");
    expect(payload["client_id"]).toBe("passport-app");
    expect(payload["kind"]).toBe("consumer");
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it("accepts the request as scripts/token.ts sends it: explicit resource, empty scope, url-encoded credentials", async () => {
    const response = await clientCredentials(idp.issuer, "benefits-app", "dev-benefits-secret", { resource: audience, scope: "" });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    const { payload } = await jwtVerify(access_token, jwks, { issuer: idp.issuer, audience });
    expect(payload.sub).toBe("benefits-app");
    const scoped = await clientCredentials(idp.issuer, "passport-app", "dev-passport-secret", { scope: "ndx:query" });
    const scopedToken = ((await scoped.json()) as { access_token: string }).access_token;
    expect((await jwtVerify(scopedToken, jwks, { audience })).payload["scope"]).toBe("ndx:query");
  });

  it("gives a signed-in person a gateway access token when the portal asks for the gateway resource", async () => {
    const result = await login(idp, "registrar.maker", "maker-dev-password", audience);
    const accessToken = result.tokens?.["access_token"] ?? "";
    const { payload } = await jwtVerify<JWTPayload & Record<string, unknown>>(accessToken, jwks, { issuer: idp.issuer, audience });
    expect(payload.sub).toBe("registrar.maker");
    expect(payload["kind"]).toBe("staff");
    expect(payload["roles"]).toEqual(["registrar"]);
  });

  it("refuses a wrong secret, an unknown client and a foreign resource", async () => {
    const wrong = await clientCredentials(idp.issuer, "passport-app", "not-the-secret");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
    const unknown = await clientCredentials(idp.issuer, "nobody", "x");
    expect(unknown.status).toBe(401);
    const foreign = await clientCredentials(idp.issuer, "benefits-app", "dev-benefits-secret", {
      resource: "https://elsewhere.example/api",
    });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: "invalid_target" });
  });

  it("logs a citizen in by authorization code + PKCE, with the NIC as subject", async () => {
    const result = await login(idp, "199012345678", "farajaland");
    expect(result.status).toBe(200);
    const idToken = result.tokens?.["id_token"] ?? "";
    const { payload } = await jwtVerify<JWTPayload & Record<string, unknown>>(idToken, jwks, {
      issuer: idp.issuer,
      audience: portal.clientId,
    });
    expect(payload.sub).toBe("199012345678");
    expect(payload["kind"]).toBe("citizen");
    expect(payload["name"]).toBe("Chikondi Emmanuel Mulenga");
    expect(payload["nonce"]).toBe("n-1");
  });

  it("logs staff in with their roles, and refuses a wrong password", async () => {
    const staff = await login(idp, "registrar.checker", "checker-dev-password");
    const { payload } = await jwtVerify<JWTPayload & Record<string, unknown>>(staff.tokens?.["id_token"] ?? "", jwks, {
      issuer: idp.issuer,
    });
    expect(payload.sub).toBe("registrar.checker");
    expect(payload["kind"]).toBe("staff");
    expect(payload["roles"]).toEqual(["registrar", "approver"]);
    const wrong = await login(idp, "199012345678", "not-farajaland");
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("do not match");
    const stranger = await login(idp, "000000000000", "farajaland");
    expect(stranger.status).toBe(401);
  });

  it("shows its sign-in page in the language the application asks for (ui_locales), English otherwise", async () => {
    const page = async (uiLocales: string | undefined) => {
      const result = await loginAs(idp, portal, "199012345678", "wrong-password", undefined, uiLocales === undefined ? {} : { ui_locales: uiLocales });
      expect(result.status).toBe(401);
      return result.html ?? "";
    };
    const arabic = await page("ar");
    expect(arabic).toContain('<html lang="ar" dir="rtl">');
    expect(arabic).toContain("الرقم الوطني أو اسم المستخدم لا يطابق كلمة المرور.");
    expect(arabic).toMatch(/<label for="username">الرقم الوطني/);
    // The first language it has, from a list in order of preference; a region does not matter.
    const french = await page("de-CH fr-CA en");
    expect(french).toContain('<html lang="fr" dir="ltr">');
    expect(french).toContain("<label for=\"password\">Mot de passe</label>");
    for (const other of ["de", undefined, "<script>"]) {
      const english = await page(other);
      expect(english).toContain('<html lang="en" dir="ltr">');
      expect(english).toContain("do not match");
      expect(english).not.toContain("<script>");
    }
    // The language changes only the words: a citizen signs in as before.
    const signedIn = await loginAs(idp, portal, "199012345678", "farajaland", undefined, { ui_locales: "ar" });
    expect(signedIn.status).toBe(200);
  });

  it("says a lost sign-in page has expired in the browser's language (Accept-Language), with no interaction to ask", async () => {
    const expired = async (acceptLanguage?: string) => {
      const response = await fetch(`${idp.issuer}/interaction/no-such-interaction`, {
        headers: acceptLanguage === undefined ? {} : { "accept-language": acceptLanguage },
      });
      expect(response.status).toBe(400);
      return response.text();
    };
    const arabic = await expired("ar");
    expect(arabic).toContain('<html lang="ar" dir="rtl">');
    expect(arabic).toContain("انتهت صلاحية صفحة تسجيل الدخول هذه");
    expect(await expired("de-CH, fr-CA;q=0.9, en;q=0.8")).toContain("Cette page de connexion a expiré");
    for (const other of [undefined, "de", "ar;q=0", "<script>"]) {
      const english = await expired(other);
      expect(english).toContain("This sign-in page has expired");
      expect(english).not.toContain("<script>");
    }
  });

  it("keeps its signing keys across a restart: old tokens still verify", async () => {
    const before = (await (await clientCredentials(idp.issuer, "passport-app", "dev-passport-secret")).json()) as {
      access_token: string;
    };
    const again = await start();
    try {
      const { payload } = await jwtVerify(before.access_token, createRemoteJWKSet(new URL(`${again.issuer}/jwks`)), {
        audience,
      });
      expect(payload.sub).toBe("passport-app");
    } finally {
      await again.close();
    }
  });
});

describe("accounts from the fixtures", () => {
  const accounts = createAccountDirectory(data);
  it("has every citizen (by NIC) and the staff", () => {
    for (const citizen of data.citizens) expect(accounts.find(citizen.nic)?.kind).toBe("citizen");
    expect(accounts.authenticate("196806300456", "farajaland")?.name).toBe("Ruth Nomsa Lungu");
    expect(accounts.authenticate("registrar.maker", "maker-dev-password")?.roles).toEqual(["registrar"]);
    expect(accounts.authenticate("registrar.maker", "farajaland")).toBeUndefined();
    expect(accounts.find("<nic of any citizen above>")).toBeUndefined();
  });
});

describe("localesFromAcceptLanguage", () => {
  it("lists the browser's languages most wanted first, without those it refuses", () => {
    expect(localesFromAcceptLanguage("en;q=0.5, ar, fr-CA;q=0.8")).toBe("ar fr-CA en");
    expect(localesFromAcceptLanguage("fr;q=0, de")).toBe("de");
    expect(localesFromAcceptLanguage("fr, ar")).toBe("fr ar");
    expect(localesFromAcceptLanguage(undefined)).toBeUndefined();
    expect(localesFromAcceptLanguage(" , ;q=0.5, ar;q=banana")).toBe("ar");
  });
});
