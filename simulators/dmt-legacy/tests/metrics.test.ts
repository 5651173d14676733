/**
 * GET /metrics on the DMT simulator over real HTTP: SOAP operations by the fault injected, requests by route and
 * status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEnvelope } from "@ndx/adapter-kit";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { metricValue } from "@ndx/platform/testing";
import { createDmtStore, dmtNamespace, dmtOperations, startDmtLegacy, type DmtLegacy } from "../src/index.ts";

const credentials = { username: "svc", password: "test-pass" };
let dmt: DmtLegacy;

beforeAll(async () => {
  dmt = await startDmtLegacy({
    store: createDmtStore(loadFarajaland(defaultFixturesFile).citizens),
    credentials,
    port: 0,
    logger: createLogger("test", "silent"),
  });
});
afterAll(() => dmt?.close());

const scrape = async () => {
  const response = await fetch(`${dmt.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return response.text();
};

const vehicles = (nic: string) =>
  fetch(`${dmt.url}/dmt`, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${dmtOperations.GetVehiclesByOwner.soapAction}"` },
    body: buildEnvelope(
      { [`d:${dmtOperations.GetVehiclesByOwner.request}`]: { "@_xmlns:d": dmtNamespace, "d:OwnerNic": nic } },
      { security: credentials },
    ),
  });

describe("DMT simulator metrics", () => {
  it("count SOAP operations by the fault injected, and requests by route", async () => {
    const before = await scrape();
    const served = (text: string, fault: string) =>
      metricValue(text, "ndx_simulator_requests_total", { operation: "GetVehiclesByOwner", fault }) ?? 0;
    expect((await vehicles("199012345678")).status).toBe(200);
    dmt.faults.inject({ operation: "GetVehiclesByOwner", soapFault: "server", times: 1 });
    expect((await vehicles("199012345678")).status).toBe(500);
    dmt.faults.inject({ latencyMs: 5, times: 1 });
    expect((await vehicles("199012345678")).status).toBe(200);
    expect((await fetch(`${dmt.url}/dmt?wsdl`)).status).toBe(200);

    const after = await scrape();
    expect(served(after, "none")).toBe(served(before, "none") + 1);
    expect(served(after, "soap_fault_server")).toBe(served(before, "soap_fault_server") + 1);
    expect(served(after, "latency")).toBe(served(before, "latency") + 1);
    const requests = (labels: Record<string, string>) => metricValue(after, "ndx_http_request_duration_seconds_count", labels);
    expect(requests({ method: "POST", route: "/dmt", status: "200" })).toBe(2);
    expect(requests({ method: "POST", route: "/dmt", status: "500" })).toBe(1);
    expect(requests({ method: "GET", route: "/dmt", status: "200" })).toBe(1);
    expect(after).toContain('service="dmt-legacy"');
  });
});
