import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthenticator, type Authenticator } from "../src/access/consumerAuth.ts";

// A real issuer over HTTP: discovery and a JWKS whose keys the test can rotate.
let server: Server;
let issuer: string;
let keys: JWK[] = [];
let jwksFetches = 0;
let signing: { privateKey: CryptoKey; kid: string };
const audience = "http://localhost:4000/graphql";

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signing = { privateKey: pair.privateKey, kid: "k1" };
  keys = [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }];
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === "/jwks") {
      jwksFetches += 1;
      res.end(JSON.stringify({ keys }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const auth = (): Authenticator => createAuthenticator({ issuer, audience });

async function token(
  claims: Record<string, unknown> = {},
  options: { key?: CryptoKey; kid?: string; exp?: string | number; aud?: string; iss?: string } = {},
) {
  return new SignJWT({ client_id: "passport-app", kind: "consumer", roles: [], scope: "graphql", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? signing.kid })
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setSubject("passport-app")
    .setIssuedAt()
    .setExpirationTime(options.exp ?? "10m")
    .sign(options.key ?? signing.privateKey);
}

async function refusal(authenticator: Authenticator, header: string | null) {
  try {
    await authenticator.authenticate(header);
  } catch (error) {
    return error as { message: string; extensions: { code: string; http: { status: number; headers: Record<string, string> } } };
  }
  throw new Error("accepted");
}

describe("consumer authentication", () => {
  it("accepts a token of the issuer for this audience and names the consumer", async () => {
    const caller = await auth().authenticate(`Bearer ${await token()}`);
    expect(caller).toEqual({ kind: "consumer", id: "passport-app", roles: [], scopes: ["graphql"] });
  });

  it("reads staff identity and roles from a user token", async () => {
    const caller = await auth().authenticate(
      `Bearer ${await token({ client_id: "consent-portal", kind: "staff", roles: ["registrar", "approver"] })}`,
    );
    expect(caller).toMatchObject({ kind: "staff", id: "passport-app", roles: ["registrar", "approver"] });
  });

  it.each([
    ["no header", null, /bearer token is required/],
    ["another scheme", "Basic cGFzc3BvcnQ6c2VjcmV0", /Bearer <token>/],
    ["garbage", "Bearer not.a.jwt", /not a valid access token/],
  ])("refuses %s with 401 UNAUTHENTICATED", async (_name, header, message) => {
    const error = await refusal(auth(), header);
    expect(error.extensions.code).toBe("UNAUTHENTICATED");
    expect(error.extensions.http.status).toBe(401);
    expect(error.extensions.http.headers["WWW-Authenticate"]).toMatch(/^Bearer/);
    expect(error.message).toMatch(message);
  });

  it("refuses an expired token, a token for another audience and one from another issuer", async () => {
    expect((await refusal(auth(), `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 120 })}`)).message).toMatch(/expired/);
    expect((await refusal(auth(), `Bearer ${await token({}, { aud: "http://elsewhere" })}`)).message).toMatch(/aud/);
    expect((await refusal(auth(), `Bearer ${await token({}, { iss: "http://evil.example" })}`)).message).toMatch(/iss/);
  });

  it("refuses a forged token: right kid, wrong key", async () => {
    const forger = await generateKeyPair("RS256");
    const error = await refusal(auth(), `Bearer ${await token({}, { key: forger.privateKey })}`);
    expect(error.message).toMatch(/signature is invalid/);
  });

  it("refuses alg none", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(
      JSON.stringify({ iss: issuer, aud: audience, client_id: "passport-app", exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString("base64url");
    const error = await refusal(auth(), `Bearer ${header}.${body}.`);
    expect(error.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("refetches the JWKS for an unknown kid: a rotated-in key works, an unknown one is refused", async () => {
    const authenticator = createAuthenticator({ issuer, audience, jwksCooldownMs: 0 });
    await authenticator.authenticate(`Bearer ${await token()}`);
    const before = jwksFetches;
    const next = await generateKeyPair("RS256");
    keys = [...keys, { ...(await exportJWK(next.publicKey)), kid: "k2", alg: "RS256", use: "sig" }];
    const caller = await authenticator.authenticate(`Bearer ${await token({}, { key: next.privateKey, kid: "k2" })}`);
    expect(caller.id).toBe("passport-app");
    expect(jwksFetches).toBe(before + 1);
    const stranger = await generateKeyPair("RS256");
    const error = await refusal(authenticator, `Bearer ${await token({}, { key: stranger.privateKey, kid: "k9" })}`);
    expect(error.message).toMatch(/not signed by a key of the issuer/);
  });

  it("verifies a token once and remembers it until it expires", async () => {
    const authenticator = auth();
    const t = `Bearer ${await token()}`;
    const first = await authenticator.authenticate(t);
    expect(await authenticator.authenticate(t)).toBe(first);
  });
});
