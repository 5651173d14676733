/**
 * GET /metrics on the identity provider over real HTTP: token requests by grant type and outcome, and requests by
 * route template (an interaction id never becomes a label).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { metricValue } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountDirectory, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "../src/index.ts";

const data = loadFarajaland(defaultFixturesFile);
const dataDir = mkdtempSync(join(tmpdir(), "ndx-idp-metrics-"));
let idp: RunningIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider({
    accounts: createAccountDirectory(data),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    keys: await loadOrCreateKeys(dataDir),
    audience: "http://localhost:4000/graphql",
    logger: createLogger("identity-provider-test", "silent"),
  });
});
afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const scrape = async () => {
  const response = await fetch(`${idp.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

const token = (user: string, secret: string, grantType = "client_credentials") =>
  fetch(`${idp.url}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: grantType }),
  });

describe("identity provider metrics", () => {
  it("count tokens by grant type and outcome, and requests by route template", async () => {
    const consumer = data.consumers[0];
    if (consumer === undefined) throw new Error("the fixtures have no consumer");
    const before = await scrape();
    const tokens = (text: string, labels: Record<string, string>) => metricValue(text, "ndx_idp_tokens_total", labels) ?? 0;

    expect((await token(consumer.id, consumer.clientSecret)).status).toBe(200);
    expect((await token(consumer.id, consumer.clientSecret)).status).toBe(200);
    expect((await token(consumer.id, "not-the-secret")).status).toBe(401);
    expect((await token(consumer.id, consumer.clientSecret, "password")).status).toBe(400);
    expect((await fetch(`${idp.url}/.well-known/openid-configuration`)).status).toBe(200);
    const interaction = await fetch(`${idp.url}/interaction/Q1w2E3r4T5y6/login`, { method: "POST", redirect: "manual" });
    expect(interaction.status).toBe(400);
    expect((await fetch(`${idp.url}/wp-login.php`)).status).toBe(404);

    const after = await scrape();
    const moved = (labels: Record<string, string>) => tokens(after, labels) - tokens(before, labels);
    expect(moved({ grant_type: "client_credentials", outcome: "issued" })).toBe(2);
    expect(moved({ grant_type: "client_credentials", outcome: "invalid_client" })).toBe(1);
    expect(moved({ grant_type: "other", outcome: "unsupported_grant_type" })).toBe(1);
    const requests = (labels: Record<string, string>) => metricValue(after, "ndx_http_request_duration_seconds_count", labels);
    expect(requests({ method: "POST", route: "/token", status: "200" })).toBe(2);
    expect(requests({ method: "POST", route: "/token", status: "401" })).toBe(1);
    expect(requests({ method: "GET", route: "/.well-known/openid-configuration", status: "200" })).toBe(1);
    expect(requests({ method: "POST", route: "/interaction/:uid/login", status: "400" })).toBe(1);
    expect(requests({ method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect(after).not.toContain("Q1w2E3r4T5y6");
    expect(after).toContain('service="identity-provider"');
  });
});
