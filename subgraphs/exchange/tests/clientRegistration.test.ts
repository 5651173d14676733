/**
 * The exchange's client registrar against the real development identity provider, started in-process on port 0 with
 * Dynamic Client Registration: register, get tokens, rotate, remove; private_key_jwt; refusals named clearly and
 * without secrets; timeouts; the registration access token sent only to the issuer.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { createAccountDirectory, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "@ndx/identity-provider";
import { createLogger } from "@ndx/platform";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClientRegistrar, discoverClientRegistrar, type ClientRegistrar, type ClientRegistration } from "../src/clientRegistration.ts";

const audience = "http://localhost:4000/graphql";
const initialAccessToken = "test-initial-access-token-0123456789";
const keysDir = mkdtempSync(join(tmpdir(), "ndx-exchange-dcr-"));
let idp: RunningIdentityProvider;
let registrar: ClientRegistrar;

beforeAll(async () => {
  const data = loadFarajaland();
  idp = await startIdentityProvider({
    accounts: createAccountDirectory(data),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    keys: await loadOrCreateKeys(keysDir),
    audience,
    registration: { initialAccessToken },
    logger: createLogger("identity-provider", "silent"),
  });
  registrar = await discoverClientRegistrar({ issuer: idp.issuer, initialAccessToken });
});
afterAll(async () => {
  await idp?.close();
  rmSync(keysDir, { recursive: true, force: true });
});

const basicToken = (clientId: string, secret: string) =>
  fetch(registrar.tokenEndpoint, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });

async function gatewayClaims(response: Response) {
  expect(response.status).toBe(200);
  const { access_token } = (await response.json()) as { access_token: string };
  const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  return (await jwtVerify(access_token, jwks, { issuer: idp.issuer, audience })).payload;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected a refusal");
  return error;
}

describe("client registrar against the development identity provider", () => {
  it("discovers the token endpoint", async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(registrar.tokenEndpoint).toBe(discovery["token_endpoint"]);
  });

  it("registers a client_secret_basic client, rotates its secret and removes it", async () => {
    const client = await registrar.register({ name: "Passport renewals", authMethod: "client_secret_basic" });
    expect(client.clientSecret).toBeDefined();
    expect(client.registrationClientUri.startsWith(idp.issuer)).toBe(true);
    const claims = await gatewayClaims(await basicToken(client.clientId, client.clientSecret ?? ""));
    expect(claims).toMatchObject({ client_id: client.clientId, aud: audience, kind: "consumer" });

    const rotated = await registrar.rotateSecret(client);
    expect(rotated.clientId).toBe(client.clientId);
    expect(rotated.clientSecret).toBeDefined();
    expect(rotated.clientSecret).not.toBe(client.clientSecret);
    expect((await basicToken(client.clientId, client.clientSecret ?? "")).status).toBe(401);
    await gatewayClaims(await basicToken(client.clientId, rotated.clientSecret ?? ""));
    // The registration access token moved on: the old one manages nothing any more.
    const stale = await refusal(registrar.remove(client));
    expect(stale.message).toContain("invalid_token");
    expect(stale.message).not.toContain(client.registrationAccessToken);

    const twice: ClientRegistration = await registrar.rotateSecret(rotated);
    await gatewayClaims(await basicToken(client.clientId, twice.clientSecret ?? ""));
    await registrar.remove(twice);
    expect((await basicToken(client.clientId, twice.clientSecret ?? "")).status).toBe(401);
  });

  it("registers a private_key_jwt client that gets a token with a client assertion", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "app-key-1", alg: "ES256", use: "sig" }] };
    const client = await registrar.register({ name: "Benefits", authMethod: "private_key_jwt", jwks });
    expect(client.clientSecret).toBeUndefined();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "app-key-1" })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(registrar.tokenEndpoint)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(privateKey);
    const response = await fetch(registrar.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }),
    });
    expect(await gatewayClaims(response)).toMatchObject({ client_id: client.clientId, kind: "consumer" });
    await registrar.remove(client);
  });

  it("is refused without the right initial access token, and says so without the token", async () => {
    for (const token of ["", "wrong-initial-access-token"]) {
      const wrong = createClientRegistrar({ issuer: idp.issuer, initialAccessToken: token });
      const error = await refusal(wrong.register({ name: "x", authMethod: "client_secret_basic" }));
      expect(error.message).toMatch(/^client registration refused by http:\/\/localhost:\d+: invalid_(token|request)/);
      if (token !== "") expect(error.message).not.toContain(token);
    }
  });

  it.each([
    ["authorization_code", { grant_types: ["authorization_code"], response_types: ["code"], redirect_uris: ["https://a.example/cb"] }],
    ["a redirect URI", { grant_types: ["client_credentials"], redirect_uris: ["https://a.example/cb"] }],
    ["a jwks_uri", { grant_types: ["client_credentials"], token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://a.example/jwks" }],
  ])("the identity provider refuses metadata asking for %s", async (_what, metadata) => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    const response = await fetch(discovery["registration_endpoint"] ?? "", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${initialAccessToken}` },
      body: JSON.stringify({ client_name: "x", ...metadata }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^invalid_(client_metadata|redirect_uri)$/);
  });

  it("sends a registration access token only to the issuer's registration endpoint", async () => {
    const client = await registrar.register({ name: "Elsewhere", authMethod: "client_secret_basic" });
    const error = await refusal(registrar.remove({ ...client, registrationClientUri: `https://attacker.example/reg/${client.clientId}` }));
    expect(error.message).toContain("is not at");
    await registrar.remove(client);
  });
});

describe("client registrar against an issuer that fails", () => {
  let hanging: Server;
  let base: string;
  beforeAll(async () => {
    hanging = createServer((req, res) => {
      if (req.url === "/plain/.well-known/openid-configuration") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ issuer: `${base}/plain`, token_endpoint: `${base}/plain/token` }));
        return;
      }
      if (req.url === "/.well-known/openid-configuration") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ issuer: base, registration_endpoint: `${base}/reg`, token_endpoint: `${base}/token` }));
      }
      // Anything else: never answered.
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const address = hanging.address();
    base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it("gives up after the timeout with a clear error", async () => {
    const slow = createClientRegistrar({ issuer: base, initialAccessToken, timeoutMs: 200 });
    const error = await refusal(slow.register({ name: "x", authMethod: "client_secret_basic" }));
    expect(error.message).toBe(`client registration at ${base}: no answer within 200 ms`);
  });

  it("refuses an issuer without dynamic client registration, and one that is not there", async () => {
    const withoutDcr = createClientRegistrar({ issuer: `${base}/plain`, initialAccessToken, timeoutMs: 500 });
    const refused = await refusal(withoutDcr.register({ name: "x", authMethod: "client_secret_basic" }));
    expect(refused.message).toBe(`${base}/plain offers no dynamic client registration (no registration_endpoint)`);
    const plain = createClientRegistrar({ issuer: "http://127.0.0.1:9", initialAccessToken, timeoutMs: 500 });
    const error = await refusal(plain.register({ name: "x", authMethod: "client_secret_basic" }));
    expect(error.message).toContain("cannot be reached");
    expect(() => plain.tokenEndpoint).toThrow(/not discovered/);
  });
});
