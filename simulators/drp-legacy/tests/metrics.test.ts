/**
 * GET /metrics on the DRP simulator over real HTTP: requests by route template (no NIC in any label) and status,
 * and legacy operations by the fault injected for them (through the test control endpoint, as a test run would).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { metricValue } from "@ndx/platform/testing";
import { createDrpStore, startDrpLegacy, type DrpLegacy } from "../src/index.ts";

const key = "test-key";
let drp: DrpLegacy;

beforeAll(async () => {
  drp = await startDrpLegacy({
    store: createDrpStore(loadFarajaland(defaultFixturesFile).citizens),
    apiKeys: [key],
    port: 0,
    testControl: true,
    logger: createLogger("test", "silent"),
  });
});
afterAll(() => drp?.close());

const scrape = async () => {
  const response = await fetch(`${drp.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe("DRP simulator metrics", () => {
  it("count requests by route and status, and operations by the fault injected", async () => {
    const before = await scrape();
    const served = (text: string, operation: string, fault: string) => metricValue(text, "ndx_simulator_requests_total", { operation, fault }) ?? 0;
    const person = () => fetch(`${drp.url}/api/v1/persons/199012345678`, { headers: { "x-api-key": key } });

    expect((await person()).status).toBe(200);
    const injected = await fetch(`${drp.url}/__test/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "getPerson", status: 503, times: 2 }),
    });
    expect(injected.status).toBe(201);
    expect((await person()).status).toBe(503);
    expect((await person()).status).toBe(503);
    const batch = await fetch(`${drp.url}/api/v1/persons/batch-lookup`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ nics: ["199012345678"] }),
    });
    expect(batch.status).toBe(200);
    expect((await fetch(`${drp.url}/no/such/thing`)).status).toBe(404);

    const after = await scrape();
    expect(served(after, "getPerson", "none")).toBe(served(before, "getPerson", "none") + 1);
    expect(served(after, "getPerson", "status_503")).toBe(served(before, "getPerson", "status_503") + 2);
    expect(served(after, "batchLookup", "none")).toBe(served(before, "batchLookup", "none") + 1);
    const requests = (labels: Record<string, string>) => metricValue(after, "ndx_http_request_duration_seconds_count", labels);
    expect(requests({ method: "GET", route: "/api/v1/persons/:nic", status: "200" })).toBe(1);
    expect(requests({ method: "GET", route: "/api/v1/persons/:nic", status: "503" })).toBe(2);
    expect(requests({ method: "POST", route: "/api/v1/persons/batch-lookup", status: "200" })).toBe(1);
    expect(requests({ method: "POST", route: "/__test/faults", status: "201" })).toBe(1);
    expect(requests({ route: "unmatched", status: "404" })).toBe(1);
    expect(after).not.toContain("199012345678");
    expect(after).toContain('service="drp-legacy"');
  });
});
