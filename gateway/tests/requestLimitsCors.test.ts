/**
 * CORS (issue 14 item 12): the gateway echoed any Origin with Access-Control-Allow-Credentials: true, so any web page
 * could call it with a signed-in user's credentials. Only configured origins get CORS headers now.
 */
import { generateKeyPairSync } from "node:crypto";
import { loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import { readSupergraph } from "@ndx/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { developmentCorsOrigins } from "../src/cors.ts";
import { createGateway, loadGatewayConfig, type Gateway } from "../src/index.ts";
import { assertions, logger, startRegistry, type RunningRegistry } from "./harness.ts";

const app = "http://localhost:5173";
const elsewhere = "https://evil.example";
let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  gateway = await createGateway({ supergraphSdl: readSupergraph(), subgraphUrls: { registry: registry.url }, assertions, logger, corsOrigins: [app] });
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

const call = (origin: string, init: RequestInit = {}) =>
  gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    body: JSON.stringify({ query: "{ districts }" }),
    ...init,
    headers: { "content-type": "application/json", origin, ...(init.headers as Record<string, string>) },
  });

describe("CORS", () => {
  it("echoes an allowed origin, with credentials, varying by Origin", async () => {
    const response = await call(app);
    expect(response.headers.get("access-control-allow-origin")).toBe(app);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("vary")).toMatch(/\bOrigin\b/);
  });

  it("gives any other origin no CORS headers at all", async () => {
    const response = await call(elsewhere);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/\bOrigin\b/);
  });

  it("answers a preflight for an allowed origin, and not for another", async () => {
    const preflight = (origin: string) =>
      call(origin, { method: "OPTIONS", body: null, headers: { "access-control-request-method": "POST", "access-control-request-headers": "authorization, x-purpose, content-type" } });
    const allowed = await preflight(app);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(app);
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(allowed.headers.get("vary")).toMatch(/\bOrigin\b/);
    const refused = await preflight(elsewhere);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("CORS_ORIGINS", () => {
  const production = {
    NDX_ENV: "production",
    CONSENT_SERVICE_TOKEN: "consent-service-token-of-production",
    AUDIT_READ_TOKEN: "audit-read-token-of-production-12",
    EXCHANGE_URL: "https://exchange.internal:4004",
    EXCHANGE_SERVICE_TOKEN: "exchange-service-token-of-production",
    SUBGRAPH_TOKEN: "subgraph-token-of-production-1234",
    GATEWAY_SIGNING_KEY: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    AUDIT_CHECKPOINT_KEY: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    AUDIT_TSA_URL: "http://127.0.0.1:9093",
  };

  it("defaults in development to the dev consumer apps' registered origins, the portal and the console", () => {
    const registered = loadFarajaland(defaultFixturesFile).consumers.flatMap((c) => c.redirectUris.map((u) => new URL(u).origin));
    expect(registered.length).toBeGreaterThan(0);
    expect(developmentCorsOrigins).toEqual(expect.arrayContaining(registered));
    expect(loadGatewayConfig({}).corsOrigins).toEqual(developmentCorsOrigins);
  });

  it("defaults to none in production, and takes the configured list", () => {
    expect(loadGatewayConfig(production).corsOrigins).toEqual([]);
    expect(loadGatewayConfig({ ...production, CORS_ORIGINS: "https://passport.gov.fj, https://console.ndx.gov.fj:8443" }).corsOrigins).toEqual([
      "https://passport.gov.fj",
      "https://console.ndx.gov.fj:8443",
    ]);
  });

  it("refuses what is not an origin", () => {
    expect(() => loadGatewayConfig({ CORS_ORIGINS: "https://app.gov.fj/callback" })).toThrow(/CORS_ORIGINS.*not an origin/s);
    expect(() => loadGatewayConfig({ CORS_ORIGINS: "*" })).toThrow(/CORS_ORIGINS/);
  });
});
