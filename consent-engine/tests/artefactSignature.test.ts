/**
 * Signed consent artefacts (issue 18 item 4), over real HTTP against the real identity provider: the consumer the
 * consent was given to fetches its artefact with its own access token; anyone verifies it with `jose` alone, offline,
 * from the engine's JWKS (current and previous key); a tampered artefact and one signed by another key fail; another
 * consumer, no token or a token for another audience get nothing; a consent never granted has none; the service API
 * gives it too.
 */
import { generateKeyPairSync } from "node:crypto";
import { parseGatewaySigningKey } from "@ndx/platform";
import { clientCredentialsToken } from "@ndx/platform/dev";
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, SignJWT, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { fixtures, passportRequest, startSystem, type TestSystem } from "./support/system.ts";

const keyPem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const current = parseGatewaySigningKey(keyPem());
const previous = parseGatewaySigningKey(keyPem());
const audience = "http://localhost:4000/graphql";
const terms = { fetchType: "ONETIME", dataLife: { unit: "DAY", value: 30 } } as const;

let system: TestSystem;
let granted: ConsentView;
let jwks: JSONWebKeySet;
const secret = (id: string) => fixtures.consumers.find((c) => c.id === id)?.clientSecret ?? "";
const token = async (id: string) =>
  (await clientCredentialsToken({ issuer: system.idp.issuer, clientId: id, clientSecret: secret(id), audience })).accessToken;
const fetchArtefact = (id: string, bearer?: string) =>
  fetch(`${system.portalUrl}/consumer/v1/consents/${id}/artefact`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });

/** Verification as a consumer does it: jose alone, with the JWKS it fetched once, offline. */
async function verify(jws: string): Promise<Record<string, unknown>> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ["EdDSA", "ES256"] });
  expect(protectedHeader.typ).toBe("ndx-consent-artefact+jws");
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

beforeAll(async () => {
  system = await startSystem({ engine: { artefacts: { key: current, previous: [previous.publicJwk] } } });
  const opened = (await (await system.api("/v1/consent-requests", { ...passportRequest, terms })).json()) as ConsentView;
  granted = (await (await system.api(`/v1/consent-requests/${opened.consentId}/grant`, { citizenId: passportRequest.citizenId, durationDays: 7 })).json()) as ConsentView;
  jwks = (await (await fetch(`${system.portalUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
});
afterAll(async () => system?.close());

describe("signed consent artefacts", () => {
  it("publishes the current and the previous key, public halves only", () => {
    expect(jwks.keys.map((k) => k.kid)).toEqual([current.kid, previous.kid]);
    for (const k of jwks.keys) expect(k).not.toHaveProperty("d");
  });

  it("gives the consumer its artefact, which verifies with jose alone and states every term", async () => {
    const response = await fetchArtefact(granted.consentId, await token("passport-app"));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { artefact: string; jwksUri: string };
    expect(body.jwksUri).toBe(`${system.portalUrl}/.well-known/jwks.json`);
    expect(decodeProtectedHeader(body.artefact)).toMatchObject({ alg: "EdDSA", kid: current.kid });
    expect(await verify(body.artefact)).toMatchObject({
      ver: 1,
      iss: system.portalUrl,
      consentId: granted.consentId,
      status: "ACTIVE",
      citizenId: passportRequest.citizenId,
      consumer: { id: "passport-app", name: granted.consumerName },
      purpose: { code: "passport-application", text: "To process your passport application" },
      dataScope: granted.dataScope,
      grantedAt: granted.grantedAt,
      start: null,
      expiresAt: granted.expiresAt,
      fetchType: "ONETIME",
      frequency: null,
      dataLife: { unit: "DAY", value: 30 },
    });
  });

  it("a tampered artefact, or one signed with a key not in the JWKS, fails to verify", async () => {
    const { artefact } = (await (await fetchArtefact(granted.consentId, await token("passport-app"))).json()) as { artefact: string };
    const [header, payload, signature] = artefact.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...claims, expiresAt: "2099-01-01T00:00:00.000Z" })).toString("base64url");
    await expect(verify(`${header}.${longer}.${signature}`)).rejects.toThrow(/signature verification failed/);
    const stranger = parseGatewaySigningKey(keyPem());
    const forged = await new CompactSign(Buffer.from(JSON.stringify(claims)))
      .setProtectedHeader({ alg: "EdDSA", kid: current.kid, typ: "ndx-consent-artefact+jws" })
      .sign(stranger.privateKey);
    await expect(verify(forged)).rejects.toThrow(/signature verification failed/);
  });

  it("an artefact signed with the previous key still verifies after a rotation", async () => {
    const claims = { ver: 1, consentId: granted.consentId };
    const old = await new CompactSign(Buffer.from(JSON.stringify(claims)))
      .setProtectedHeader({ alg: "EdDSA", kid: previous.kid, typ: "ndx-consent-artefact+jws" })
      .sign(previous.privateKey);
    expect(await verify(old)).toEqual(claims);
  });

  it("another consumer, no token, or a token the issuer did not sign get nothing; the service API gives it", async () => {
    expect((await fetchArtefact(granted.consentId, await token("benefits-app"))).status).toBe(404);
    expect((await fetchArtefact(granted.consentId)).status).toBe(401);
    const forged = await new SignJWT({ client_id: "passport-app" })
      .setProtectedHeader({ alg: "EdDSA", kid: "not-the-issuers" })
      .setIssuer(system.idp.issuer)
      .setAudience(audience)
      .setExpirationTime("5m")
      .sign(parseGatewaySigningKey(keyPem()).privateKey);
    expect((await fetchArtefact(granted.consentId, forged)).status).toBe(401);
    const viaService = await system.api(`/v1/consents/${granted.consentId}/artefact`);
    expect(viaService.status).toBe(200);
    expect(await verify(((await viaService.json()) as { artefact: string }).artefact)).toMatchObject({ consentId: granted.consentId });
    expect((await fetch(`${system.portalUrl}/v1/consents/${granted.consentId}/artefact`)).status).toBe(401);
  });

  it("a consent never granted has no artefact (409), and an unknown one is not found", async () => {
    const pending = (await (await system.api("/v1/consent-requests", { ...passportRequest, citizenId: "198503150123" })).json()) as ConsentView;
    const response = await fetchArtefact(pending.consentId, await token("passport-app"));
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe("CONFLICT");
    expect((await fetchArtefact("cns_AAAAAAAAAAAAAAAAAAAAAA", await token("passport-app"))).status).toBe(404);
  });

  it("a malformed percent-escape where the id goes names no consent: 401 without a token, 404 with one, on every path", async () => {
    const bad = "%E0%A4%A";
    expect((await fetchArtefact(bad)).status).toBe(401);
    const notFound = await fetchArtefact(bad, await token("passport-app"));
    expect({ status: notFound.status, code: ((await notFound.json()) as { code: string }).code }).toEqual({ status: 404, code: "NOT_FOUND" });
    const status = await fetch(`${system.portalUrl}/consumer/v1/consent-requests/${bad}`, { headers: { authorization: `Bearer ${await token("passport-app")}` } });
    expect(status.status).toBe(404);
    expect((await system.api(`/v1/consents/${bad}/artefact`)).status).toBe(404);
  });
});
