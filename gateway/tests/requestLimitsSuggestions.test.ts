/**
 * Production hides the schema (issue 14 item 8): introspection off, and no "Did you mean …" in errors either, for
 * anyone — validation answers before the access plugin, so no token is needed to ask. The limits come from the
 * gateway's configuration, as main.ts passes them.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig, type Gateway } from "../src/index.ts";
import { post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";

const secrets = {
  CONSENT_SERVICE_TOKEN: "consent-service-token-of-production",
  AUDIT_READ_TOKEN: "audit-read-token-of-production-12",
  EXCHANGE_URL: "https://exchange.internal:4004",
  EXCHANGE_SERVICE_TOKEN: "exchange-service-token-of-production",
  SUBGRAPH_TOKEN: "subgraph-token-of-production-1234",
  GATEWAY_SIGNING_KEY: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  AUDIT_CHECKPOINT_KEY: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  AUDIT_TSA_URL: "http://127.0.0.1:9093",
};
const misspelled = { query: '{ person(nic: "199012345678") { fulName } }' };
const badEnum = { query: "query($op: ChangeOperation!) { changeRequests(filter: { operation: $op }) { totalCount } }", variables: { op: "UPDAT" } };

let registry: RunningRegistry;
let production: Gateway;
let viaNodeEnv: Gateway;
let development: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  production = await startGateway(registry.url, { limits: loadGatewayConfig({ ...secrets, NDX_ENV: "production" }).limits });
  viaNodeEnv = await startGateway(registry.url, { limits: loadGatewayConfig({ ...secrets, NODE_ENV: "production" }).limits });
  development = await startGateway(registry.url, { limits: loadGatewayConfig({}).limits });
});
afterAll(async () => {
  await Promise.all([production, viaNodeEnv, development].map((g) => g?.close()));
  await registry?.close();
});

describe("suggestions", () => {
  it("are gone in production (NDX_ENV=production), without a token", async () => {
    const { status, body } = await post(production, misspelled);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe('Cannot query field "fulName" on type "Person".');
    expect(JSON.stringify(body)).not.toMatch(/did you mean|fullName/i);
  });

  it("are gone with NODE_ENV=production alone, introspection refused too", async () => {
    expect(JSON.stringify((await post(viaNodeEnv, misspelled)).body)).not.toMatch(/did you mean/i);
    const introspection = await post(viaNodeEnv, { query: "{ __schema { queryType { name } } }" });
    expect(introspection.status).toBe(400);
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it("are gone from variable coercion errors (enum values) in production", async () => {
    const { body } = await post(production, badEnum);
    expect(body.errors?.[0]?.message).toMatch(/UPDAT/);
    expect(JSON.stringify(body)).not.toMatch(/did you mean/i);
  });

  it("stay in development, where introspection answers anyway", async () => {
    expect((await post(development, misspelled)).body.errors?.[0]?.message).toMatch(/Did you mean "fullName"\?/);
  });
});
