/**
 * The gateway's side of issue 14 item 13 (no shared bearer to subgraphs): it publishes its public keys at
 * GET /.well-known/jwks.json, a registry that knows only that URL answers it over real HTTP, and each subgraph call
 * carries an assertion signed for that subgraph naming the caller (and decision) the access plugin put in the context.
 */
import { generateKeyPairSync } from "node:crypto";
import type { RequestListener } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCallerAssertionSigner, createGatewayTrust, listen, type ForwardedCaller, type Listening } from "@ndx/platform";
import { readSupergraph } from "@ndx/schema";
import { createGateway, loadGatewayConfig, type Gateway } from "../src/index.ts";
import { assertions, logger, post, startRegistry, type RunningRegistry } from "./harness.ts";

const staff: ForwardedCaller = { kind: "staff", id: "registrar.maker", roles: ["registrar"], traceId: "0af7651916cd43dd8448eb211c80319c", decisionId: "evt_7" };

/** What useAccess does before execution: names the caller it decided on. */
const namesCaller = {
  onExecute({ args }: { args: { contextValue: unknown } }) {
    (args.contextValue as { ndxCaller?: ForwardedCaller }).ndxCaller = staff;
  },
};

let http: Listening;
let registry: RunningRegistry;
let gateway: Gateway;

beforeAll(async () => {
  // The gateway's address must be known before the registry that fetches its keys starts.
  let handler: RequestListener = (_q, s) => void s.writeHead(503).end();
  http = await listen((q, s) => handler(q, s), 0);
  registry = await startRegistry(5, undefined, { jwks: `${http.url}/.well-known/jwks.json` });
  gateway = await createGateway({
    supergraphSdl: readSupergraph(),
    subgraphUrls: { registry: registry.url },
    assertions,
    plugins: [namesCaller],
    logger,
  });
  handler = (q, s) => void gateway.yoga(q, s);
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
  await http?.close();
});

describe("caller assertions to subgraphs", () => {
  it("publishes the gateway's public keys, and nothing private, without a token", async () => {
    const response = await fetch(`${http.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jwk-set+json");
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks).toEqual(JSON.parse(JSON.stringify(assertions.jwks)));
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: expect.any(String) });
    expect(jwks.keys.some((k) => "d" in k)).toBe(false);
  });

  it("a registry that knows only the gateway's JWKS URL answers the gateway, and nobody else", async () => {
    const { status, body } = await post(gateway, { query: '{ person(nic: "199012345678") { fullName } }' });
    expect({ status, body }).toEqual({ status: 200, body: { data: { person: { fullName: "Chikondi Emmanuel Mulenga" } } } });
    const direct = await fetch(registry.url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ districts }"}' });
    expect(direct.status).toBe(401);
  });

  it("each call names the caller, roles, decision and trace, for the registry only, fresh for each request", async () => {
    const seen = registry.authorizations.length;
    await post(gateway, { query: "{ districts }" });
    await post(gateway, { query: "{ districts }" });
    const tokens = registry.authorizations.slice(seen).map((a) => /^Bearer (\S+)$/.exec(a ?? "")?.[1] ?? "");
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
    const asRegistry = createGatewayTrust({ audience: "registry", jwks: assertions.jwks });
    for (const token of tokens) expect(await asRegistry.verify(token)).toEqual(staff);
    await expect(createGatewayTrust({ audience: "dmt", jwks: assertions.jwks }).verify(tokens[0] ?? "")).rejects.toThrow(/aud/);
  });
});

describe("the signing key's configuration", () => {
  const secrets = {
    CONSENT_SERVICE_TOKEN: "c".repeat(32),
    AUDIT_READ_TOKEN: "a".repeat(32),
    EXCHANGE_URL: "https://exchange.internal:4004",
    EXCHANGE_SERVICE_TOKEN: "exchange-service-token-of-production",
    AUDIT_CHECKPOINT_KEY: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    AUDIT_TSA_URL: "http://127.0.0.1:9093",
  };

  it("is generated at each start in development only; production refuses to start without GATEWAY_SIGNING_KEY", () => {
    const development = loadGatewayConfig({});
    expect(development.signing).toMatchObject({ generated: true, issuer: "ndx-gateway", key: { alg: "EdDSA" } });
    expect(loadGatewayConfig({}).signing.key.kid).not.toBe(development.signing.key.kid);
    expect(() => loadGatewayConfig({ ...secrets, NDX_ENV: "production" })).toThrow(/GATEWAY_SIGNING_KEY: must be set/);
    expect(() => loadGatewayConfig({ ...secrets, NDX_ENV: "production", SUBGRAPH_TOKEN: "s".repeat(32) })).toThrow(/GATEWAY_SIGNING_KEY/);
  });

  it("takes a PEM key and a previous key to publish, and never prints a bad one", () => {
    const pem = (curve: "ed25519" | "ec") =>
      (curve === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("ed25519")).privateKey
        .export({ type: "pkcs8", format: "pem" })
        .toString();
    const config = loadGatewayConfig({ ...secrets, NDX_ENV: "production", GATEWAY_SIGNING_KEY: pem("ec"), GATEWAY_SIGNING_KEY_PREVIOUS: pem("ed25519") });
    expect(config.signing.generated).toBe(false);
    const signer = createCallerAssertionSigner(config.signing);
    expect(signer.jwks.keys.map((k) => k.alg)).toEqual(["ES256", "EdDSA"]);
    expect(JSON.stringify(config)).not.toMatch(/PRIVATE KEY/);
    let message = "";
    try {
      loadGatewayConfig({ ...secrets, NDX_ENV: "production", GATEWAY_SIGNING_KEY: "-----BEGIN PRIVATE KEY-----\nSECRETBYTES\n-----END PRIVATE KEY-----" });
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toMatch(/GATEWAY_SIGNING_KEY: /);
    expect(message).not.toMatch(/SECRETBYTES/);
  });
});
