/**
 * Dynamic Client Registration (RFC 7591) and management (RFC 7592) at the development provider, over real HTTP:
 * only with the initial access token, only client-credentials clients, a new secret on every update, and registered
 * clients get gateway tokens like the fixtures' consumers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountDirectory, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "../src/index.ts";
import { clientCredentials } from "./support/oidcClient.ts";

const data = loadFarajaland(defaultFixturesFile);
const audience = "http://localhost:4000/graphql";
const initialAccessToken = "test-registration-token";
const dataDir = mkdtempSync(join(tmpdir(), "ndx-idp-dcr-"));
let idp: RunningIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider({
    accounts: createAccountDirectory(data),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    keys: await loadOrCreateKeys(dataDir),
    audience,
    registration: { initialAccessToken },
    logger: createLogger("identity-provider-test", "silent"),
  });
});
afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

const send = (url: string, method: string, bearer: string | undefined, body?: unknown) =>
  fetch(url, {
    method,
    headers: { "content-type": "application/json", ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** `null`: no Authorization header at all. */
const register = (body: Record<string, unknown>, token: string | null = initialAccessToken) =>
  send(`${idp.issuer}/reg`, "POST", token ?? undefined, body);

const machine = { client_name: "Test app", grant_types: ["client_credentials"], token_endpoint_auth_method: "client_secret_basic" };

async function tokenPayload(response: Response) {
  expect(response.status).toBe(200);
  const { access_token } = (await response.json()) as { access_token: string };
  return (await jwtVerify(access_token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { issuer: idp.issuer, audience })).payload;
}

describe("dynamic client registration", () => {
  it("publishes the registration endpoint", async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery["registration_endpoint"]).toBe(`${idp.issuer}/reg`);
  });

  it("registers only with the initial access token", async () => {
    for (const token of [null, "wrong-token", `${initialAccessToken}x`, initialAccessToken.slice(1)]) {
      const refused = await register(machine, token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: "invalid_token" });
    }
  });

  it("registers a client-secret client that gets gateway tokens as a consumer, rotates its secret, and removes it", async () => {
    const created = await register({ ...machine, scope: "ndx:query" });
    expect(created.status).toBe(201);
    const client = (await created.json()) as Registered;
    expect(client).toMatchObject({ grant_types: ["client_credentials"], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" });
    const secret = client.client_secret ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const payload = await tokenPayload(await clientCredentials(idp.issuer, client.client_id, secret));
    expect(payload).toMatchObject({ sub: client.client_id, client_id: client.client_id, kind: "consumer", roles: [] });

    const { client_id, client_name, grant_types, token_endpoint_auth_method } = client;
    const rotated = await send(client.registration_client_uri, "PUT", client.registration_access_token, {
      client_id,
      client_name,
      grant_types,
      token_endpoint_auth_method,
    });
    expect(rotated.status).toBe(200);
    const after = (await rotated.json()) as Registered;
    expect(after.client_id).toBe(client.client_id);
    expect(after.client_secret).not.toBe(secret);
    expect(after.registration_access_token).not.toBe(client.registration_access_token);
    expect((await clientCredentials(idp.issuer, client.client_id, secret)).status).toBe(401);
    await tokenPayload(await clientCredentials(idp.issuer, client.client_id, after.client_secret ?? ""));
    // The old registration access token is spent.
    expect((await send(client.registration_client_uri, "GET", client.registration_access_token)).status).toBe(401);

    expect((await send(after.registration_client_uri, "DELETE", after.registration_access_token)).status).toBe(204);
    expect((await clientCredentials(idp.issuer, client.client_id, after.client_secret ?? "")).status).toBe(401);
  });

  it("registers a private_key_jwt client that gets a token with a client assertion", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const created = await register({ ...machine, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [jwk] } });
    expect(created.status).toBe(201);
    const client = (await created.json()) as Registered;
    expect(client.client_secret).toBeUndefined();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(idp.issuer)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(privateKey);
    const response = await fetch(`${idp.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: client.client_id,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }),
    });
    expect(await tokenPayload(response)).toMatchObject({ client_id: client.client_id, kind: "consumer" });
  });

  it.each([
    ["another grant", { ...machine, grant_types: ["authorization_code"] }, "grant_types"],
    ["an added grant", { ...machine, grant_types: ["client_credentials", "refresh_token"] }, "grant_types"],
    ["no grant (authorization_code by default)", { client_name: "x" }, "grant_types"],
    ["a redirect URI", { ...machine, redirect_uris: ["https://app.example/cb"] }, "redirect_uris", "invalid_redirect_uri"],
    ["response types", { ...machine, response_types: ["code"] }, "response_types"],
    ["a jwks_uri", { ...machine, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://keys.example/jwks" }, "jwks_uri"],
    ["private_key_jwt without keys", { ...machine, token_endpoint_auth_method: "private_key_jwt" }, "jwks"],
    ["client_secret_post", { ...machine, token_endpoint_auth_method: "client_secret_post" }, "token_endpoint_auth_method"],
    ["no authentication", { ...machine, token_endpoint_auth_method: "none" }, "token_endpoint_auth_method"],
    ["another scope", { ...machine, scope: "openid profile" }, "scope"],
    ["a sector identifier", { ...machine, sector_identifier_uri: "https://x.example/s.json" }, "sector_identifier_uri"],
  ])("refuses %s as invalid_client_metadata", async (_name, body, named, code = "invalid_client_metadata") => {
    const refused = await register(body);
    expect(refused.status).toBe(400);
    const error = (await refused.json()) as { error: string; error_description: string };
    // oidc-provider names a redirect_uris problem invalid_redirect_uri (RFC 7591 section 3.2.2).
    expect(error.error).toBe(code);
    expect(error.error_description).toContain(named);
  });

  it("refuses private keys in jwks and an update that asks for another grant", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const leaked = await register({
      ...machine,
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "k" }] },
    });
    expect(leaked.status).toBe(400);
    const client = (await (await register(machine)).json()) as Registered;
    const widened = await send(client.registration_client_uri, "PUT", client.registration_access_token, {
      client_id: client.client_id,
      grant_types: ["client_credentials", "authorization_code"],
      redirect_uris: ["https://app.example/cb"],
    });
    expect(widened.status).toBe(400);
    expect(await widened.json()).toMatchObject({ error: "invalid_client_metadata" });
    await tokenPayload(await clientCredentials(idp.issuer, client.client_id, client.client_secret ?? ""));
  });

  it("does not let a registration access token manage the fixtures' static clients", async () => {
    const client = (await (await register(machine)).json()) as Registered;
    const other = await send(`${idp.issuer}/reg/passport-app`, "DELETE", client.registration_access_token);
    expect(other.status).toBe(401);
    expect((await clientCredentials(idp.issuer, "passport-app", "dev-passport-secret")).status).toBe(200);
  });
});
