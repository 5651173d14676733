/**
 * GET /metrics on the consent engine over real HTTP: requests by route template (never a consent id or a NIC),
 * checks by result, requests opened, grants and revocations by where they came from, and revision stream
 * subscribers, each moving as the API is used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "@ndx/platform/testing";
import type { CheckResult, ConsentView } from "../src/index.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.close();
});

const scrape = async () => {
  // No service token: like every part's /metrics, it is for the operators' scraper on the internal network.
  const response = await fetch(`${system.portalUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

const citizen = passportRequest.citizenId;

describe("consent engine metrics", () => {
  it("count checks, requests, grants and revocations, and requests by route template", async () => {
    const before = await scrape();
    const count = (text: string, name: string, labels: Record<string, string>) => metricValue(text, name, labels) ?? 0;

    const opened = await system.api("/v1/consent-requests", passportRequest);
    expect(opened.status).toBe(201);
    const request = (await opened.json()) as ConsentView;
    expect((await system.api("/v1/consent-requests", passportRequest)).status).toBe(200);
    const missing = (await (await system.api("/v1/consents/check", passportRequest)).json()) as CheckResult;
    expect(missing.status).toBe("missing");
    expect((await system.api(`/v1/consent-requests/${request.consentId}/grant`, { citizenId: citizen, durationDays: 7 })).status).toBe(200);
    const covered = (await (await system.api("/v1/consents/check", passportRequest)).json()) as CheckResult;
    expect(covered.status).toBe("covered");
    // A pause and a resume are no new grant (issue 18).
    expect((await system.api(`/v1/consents/${request.consentId}/pause`, { citizenId: citizen })).status).toBe(200);
    expect((await system.api(`/v1/consents/${request.consentId}/resume`, { citizenId: citizen })).status).toBe(200);
    expect((await system.api(`/v1/consents/${request.consentId}/revoke`, { citizenId: citizen })).status).toBe(200);
    expect((await fetch(`${system.portalUrl}/v1/consents/check`, { method: "POST" })).status).toBe(401);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => count(after, name, labels) - count(before, name, labels);
    expect(moved("ndx_consent_requests_opened_total", { result: "created" })).toBe(1);
    expect(moved("ndx_consent_requests_opened_total", { result: "reused" })).toBe(1);
    expect(moved("ndx_consent_check_results_total", { result: "missing" })).toBe(1);
    expect(moved("ndx_consent_check_results_total", { result: "covered" })).toBe(1);
    expect(moved("ndx_consent_changes_total", { change: "granted", via: "api" })).toBe(1);
    expect(moved("ndx_consent_changes_total", { change: "revoked", via: "api" })).toBe(1);
    expect(moved("ndx_consent_changes_total", { change: "granted", via: "portal" })).toBe(0);

    const requests = (labels: Record<string, string>) => moved("ndx_http_request_duration_seconds_count", labels);
    expect(requests({ method: "POST", route: "/v1/consent-requests", status: "201" })).toBe(1);
    expect(requests({ method: "POST", route: "/v1/consent-requests/:id/grant", status: "200" })).toBe(1);
    expect(requests({ method: "POST", route: "/v1/consents/:id/revoke", status: "200" })).toBe(1);
    expect(requests({ method: "POST", route: "/v1/consents/check", status: "200" })).toBe(2);
    // Refused before routing (no token): counted, but not under a route it never reached.
    expect(requests({ method: "POST", route: "unmatched", status: "401" })).toBe(1);
    expect(after).not.toContain(request.consentId);
    expect(after).not.toContain(citizen);
  });

  it("count portal pages by template and show revision stream subscribers while they are connected", async () => {
    expect((await fetch(`${system.portalUrl}/consent/cns_AAAAAAAAAAAAAAAAAAAAAA`, { redirect: "manual" })).status).toBeLessThan(500);
    const subscribers = async () => metricValue(await scrape(), "ndx_consent_revision_subscribers");
    expect(await subscribers()).toBe(0);
    const controller = new AbortController();
    const stream = await system.api("/v1/revision/stream", undefined, { signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(await subscribers()).toBe(1);
    controller.abort();
    await expect.poll(subscribers, { timeout: 5000 }).toBe(0);
    const text = await scrape();
    expect(metricValue(text, "ndx_http_request_duration_seconds_count", { method: "GET", route: "/consent/:id" })).toBe(1);
    expect(metricValue(text, "ndx_http_request_duration_seconds_count", { method: "GET", route: "/v1/revision/stream", status: "200" })).toBe(1);
  });
});
