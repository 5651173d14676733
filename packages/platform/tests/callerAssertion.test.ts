/**
 * Caller assertions, gateway to subgraph: what the gateway signs, what a subgraph accepts (only the gateway's key,
 * only for itself, only fresh, only EdDSA/ES256), how it finds the gateway's keys over real HTTP (lazily, again on
 * an unknown kid, refusing while they cannot be fetched), and the settings of both sides.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { RequestListener } from "node:http";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  createCallerAssertionSigner,
  createGatewayTrust,
  gatewaySigningFrom,
  gatewayTrustSettingsFrom,
  generateGatewaySigningKey,
  listen,
  parseGatewaySigningKey,
  type ForwardedCaller,
  type GatewaySigningKey,
  type Listening,
} from "../src/index.ts";

const maker: ForwardedCaller = { kind: "staff", id: "registrar.maker", roles: ["registrar"], traceId: "4bf92f3577b34da6a3ce929d0e0e4736", decisionId: "evt_42" };
const key = generateGatewaySigningKey();
const signer = createCallerAssertionSigner({ key });
const registryTrust = createGatewayTrust({ audience: "registry", jwks: signer.jwks });

const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A hand-made assertion with the right shape, signed by `by` (to vary one thing at a time). */
function forged(by: Pick<GatewaySigningKey, "privateKey" | "kid"> & { alg: string }, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: "registrar.maker", kind: "staff", roles: ["registrar"], ...claims })
    .setProtectedHeader({ alg: by.alg, kid: by.kid, typ: "ndx-caller+jwt", ...header })
    .setIssuer("ndx-gateway")
    .setAudience("registry")
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(by.privateKey);
}

describe("what a subgraph accepts", () => {
  it("accepts the gateway's assertion for itself and knows the caller, roles, decision and trace from it", async () => {
    expect(await registryTrust.verify(await signer.sign("registry", maker))).toEqual(maker);
    expect(await registryTrust.verify(await forged(key))).toMatchObject({ id: "registrar.maker", kind: "staff" });
  });

  it("accepts an assertion naming nobody (a gateway without access control) as no caller", async () => {
    expect(await registryTrust.verify(await signer.sign("registry", undefined))).toBeUndefined();
  });

  it("refuses an assertion signed by another key, even with the gateway's kid", async () => {
    const other = generateGatewaySigningKey();
    await expect(registryTrust.verify(await forged(other))).rejects.toThrow();
    await expect(registryTrust.verify(await forged({ ...other, kid: key.kid }))).rejects.toThrow(/signature/);
  });

  it("refuses an assertion meant for another subgraph (one dmt received, replayed at the registry)", async () => {
    const forDmt = await signer.sign("dmt", { ...maker, id: "evil.maker" });
    await expect(registryTrust.verify(forDmt)).rejects.toThrow(/aud/);
    expect(await createGatewayTrust({ audience: "dmt", jwks: signer.jwks }).verify(forDmt)).toMatchObject({ id: "evil.maker" });
  });

  it("refuses an expired assertion, and one from another issuer", async () => {
    const old = createCallerAssertionSigner({ key, now: () => Date.now() - 120_000 });
    await expect(registryTrust.verify(await old.sign("registry", maker))).rejects.toThrow(/exp/);
    const foreign = createCallerAssertionSigner({ key, issuer: "someone-else" });
    await expect(registryTrust.verify(await foreign.sign("registry", maker))).rejects.toThrow(/iss/);
  });

  it("refuses alg none, HS256 (even keyed with the public key) and RS256", async () => {
    const unsecured = new UnsecuredJWT({ sub: "registrar.maker", kind: "staff", roles: ["registrar"], jti: "x" })
      .setIssuer("ndx-gateway")
      .setAudience("registry")
      .setIssuedAt()
      .setExpirationTime("1m")
      .encode();
    await expect(registryTrust.verify(unsecured)).rejects.toThrow();
    const hs = await new SignJWT({ sub: "registrar.maker", kind: "staff", roles: [], jti: "x" })
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "ndx-caller+jwt" })
      .setIssuer("ndx-gateway")
      .setAudience("registry")
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    await expect(registryTrust.verify(hs)).rejects.toThrow(/alg/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    await expect(
      registryTrust.verify(await forged({ privateKey: rsa, kid: key.kid, alg: "RS256" })),
    ).rejects.toThrow(/alg/);
  });

  it("refuses an assertion of another type, without jti, or with malformed caller claims", async () => {
    await expect(registryTrust.verify(await forged(key, {}, { typ: "JWT" }))).rejects.toThrow(/typ/);
    await expect(registryTrust.verify(await forged(key, { kind: "admin" }))).rejects.toThrow(/caller/);
    await expect(registryTrust.verify(await forged(key, { roles: "registrar" }))).rejects.toThrow(/roles/);
    const noJti = await new SignJWT({ sub: "registrar.maker", kind: "staff", roles: [] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "ndx-caller+jwt" })
      .setIssuer("ndx-gateway")
      .setAudience("registry")
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(key.privateKey);
    await expect(registryTrust.verify(noJti)).rejects.toThrow(/jti/);
  });
});

describe("what the gateway signs", () => {
  it("signs one assertion per request and subgraph, reused by that request's other fetches", async () => {
    let now = 1_800_000_000_000;
    const timed = createCallerAssertionSigner({ key, now: () => now });
    const request = {};
    const first = await timed.forRequest(request, "registry", maker);
    expect(await timed.forRequest(request, "registry", maker)).toBe(first);
    expect(await timed.forRequest(request, "dmt", maker)).not.toBe(first);
    expect(await timed.forRequest({}, "registry", maker)).not.toBe(first);
    now += 31_000; // less than half its 60 s left: a fresh one
    expect(await timed.forRequest(request, "registry", maker)).not.toBe(first);
  });

  it("publishes its public key (and a previous one) with kid and alg, and nothing private", () => {
    const previous = generateGatewaySigningKey();
    const rotating = createCallerAssertionSigner({ key, previousKeys: [previous.publicJwk, key.publicJwk] });
    expect(rotating.jwks.keys.map((k) => k.kid)).toEqual([key.kid, previous.kid]);
    expect(rotating.jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(JSON.stringify(rotating.jwks)).not.toMatch(/"d"/);
  });

  it("writes a compact JWS that jose alone verifies against the published keys, with the registered claims", async () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    for (const signing of [key, parseGatewaySigningKey(pem)]) {
      const s = createCallerAssertionSigner({ key: signing, now: () => 1_800_000_000_500 });
      const token = await s.sign("drp", maker);
      expect(decodeProtectedHeader(token)).toEqual({ alg: signing.alg, kid: signing.kid, typ: "ndx-caller+jwt" });
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: s.jwks.keys.map((k) => ({ ...k })) }), {
        currentDate: new Date(1_800_000_010_000),
        audience: "drp",
        issuer: "ndx-gateway",
        typ: "ndx-caller+jwt",
        algorithms: [signing.alg],
      });
      expect(payload).toEqual({
        sub: maker.id,
        kind: maker.kind,
        roles: maker.roles,
        decision_id: maker.decisionId,
        trace_id: maker.traceId,
        iss: "ndx-gateway",
        aud: "drp",
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        iat: 1_800_000_000,
        exp: 1_800_000_060,
      });
      // Signed now, a subgraph accepts it; with its payload changed, the signature fails.
      const live = createCallerAssertionSigner({ key: signing });
      const fresh = await live.sign("drp", maker);
      const drpTrust = createGatewayTrust({ audience: "drp", jwks: live.jwks });
      expect(await drpTrust.verify(fresh)).toEqual(maker);
      const [h, p, sig] = fresh.split(".");
      const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
      const tampered = `${h ?? ""}.${Buffer.from(JSON.stringify({ ...claims, sub: "someone.else" })).toString("base64url")}.${sig ?? ""}`;
      await expect(drpTrust.verify(tampered)).rejects.toThrow(/signature/);
    }
  });

  it("signs ES256 with a P-256 key", async () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const ec = parseGatewaySigningKey(pem);
    expect(ec.alg).toBe("ES256");
    const ecSigner = createCallerAssertionSigner({ key: ec });
    expect(await createGatewayTrust({ audience: "registry", jwks: ecSigner.jwks }).verify(await ecSigner.sign("registry", maker))).toEqual(maker);
  });
});

describe("the gateway's keys over HTTP", () => {
  /** A JWKS endpoint whose key set can change (a gateway restarting with a new development key), or go down. */
  async function jwksServer() {
    let jwks: unknown = undefined;
    let fetches = 0;
    const handler: RequestListener = (_req, res) => {
      fetches += 1;
      if (jwks === undefined) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
    };
    const http = await listen(handler, 0);
    servers.push(http);
    return { url: `${http.url}/.well-known/jwks.json`, serve: (value: unknown) => (jwks = value), fetches: () => fetches };
  }

  it("fetches them at the first request, refusing while they cannot be had, and again for an unknown kid", async () => {
    const server = await jwksServer();
    const trust = createGatewayTrust({ audience: "registry", jwks: server.url, cooldownMs: 0 });
    expect(server.fetches()).toBe(0);
    const token = await signer.sign("registry", maker);
    await expect(trust.verify(token)).rejects.toThrow();
    server.serve(signer.jwks);
    expect(await trust.verify(token)).toEqual(maker);
    expect(await trust.verify(token)).toEqual(maker);
    const fetchesSoFar = server.fetches();
    expect(fetchesSoFar).toBe(2);
    // The gateway restarts with a new key: the subgraph learns it at the first assertion that names it.
    const restarted = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
    server.serve(restarted.jwks);
    expect(await trust.verify(await restarted.sign("registry", maker))).toEqual(maker);
    expect(server.fetches()).toBe(fetchesSoFar + 1);
  });

  it("an unreachable JWKS refuses every request", async () => {
    const trust = createGatewayTrust({ audience: "registry", jwks: "http://127.0.0.1:9/.well-known/jwks.json" });
    await expect(trust.verify(await signer.sign("registry", maker))).rejects.toThrow();
  });
});

/** The problems of the ConfigError `load` throws. */
function problems(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("no ConfigError");
}

describe("settings", () => {
  const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  it("the gateway generates a key in development only; elsewhere GATEWAY_SIGNING_KEY is required", () => {
    const none = { GATEWAY_SIGNING_KEY: undefined, GATEWAY_SIGNING_KEY_PREVIOUS: undefined, GATEWAY_ISSUER: "ndx-gateway" };
    expect(gatewaySigningFrom({ NDX_ENV: "development", ...none })).toMatchObject({ generated: true, key: { alg: "EdDSA" } });
    expect(problems(() => gatewaySigningFrom({ NDX_ENV: "production", ...none }))).toEqual([expect.stringMatching(/^GATEWAY_SIGNING_KEY: must be set/)]);
    expect(gatewaySigningFrom({ NDX_ENV: "production", ...none, GATEWAY_SIGNING_KEY: pem })).toMatchObject({ generated: false });
    // One line with literal \n, as .env files carry it; and a JWK.
    expect(gatewaySigningFrom({ NDX_ENV: "test", ...none, GATEWAY_SIGNING_KEY: pem.replaceAll("\n", "\\n") })).toMatchObject({ generated: false });
    const jwk = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
    expect(gatewaySigningFrom({ NDX_ENV: "test", ...none, GATEWAY_SIGNING_KEY: jwk })).toMatchObject({ key: { alg: "EdDSA" } });
  });

  it("names a bad key without printing it, and refuses RSA", () => {
    const none = { GATEWAY_SIGNING_KEY_PREVIOUS: undefined, GATEWAY_ISSUER: "ndx-gateway", NDX_ENV: "production" as const };
    const bad = problems(() => gatewaySigningFrom({ ...none, GATEWAY_SIGNING_KEY: "not-a-key-SECRETVALUE" }));
    expect(JSON.stringify(bad)).toMatch(/GATEWAY_SIGNING_KEY: /);
    expect(JSON.stringify(bad)).not.toMatch(/SECRETVALUE/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(problems(() => gatewaySigningFrom({ ...none, GATEWAY_SIGNING_KEY: rsa }))).toEqual([expect.stringMatching(/rsa key/)]);
    const previousBad = problems(() => gatewaySigningFrom({ ...none, GATEWAY_SIGNING_KEY: pem, GATEWAY_SIGNING_KEY_PREVIOUS: "{oops" }));
    expect(previousBad).toEqual([expect.stringMatching(/^GATEWAY_SIGNING_KEY_PREVIOUS: /)]);
  });

  it("a subgraph needs GATEWAY_JWKS_URL outside development", () => {
    expect(gatewayTrustSettingsFrom({ NDX_ENV: "development", GATEWAY_JWKS_URL: undefined, GATEWAY_ISSUER: "ndx-gateway" })).toEqual({
      jwks: "http://localhost:4000/.well-known/jwks.json",
      issuer: "ndx-gateway",
    });
    expect(problems(() => gatewayTrustSettingsFrom({ NDX_ENV: "production", GATEWAY_JWKS_URL: undefined, GATEWAY_ISSUER: "ndx-gateway" }))).toEqual([
      expect.stringMatching(/^GATEWAY_JWKS_URL: must be set/),
    ]);
  });
});
