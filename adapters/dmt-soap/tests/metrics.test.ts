/**
 * GET /metrics on the DMT adapter over real HTTP: SOAP calls by operation and outcome (a slow DMT shows as
 * timeouts), and the circuit breaker opening on them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DmtLegacy } from "@ndx/dmt-legacy";
import { listen, type Listening } from "@ndx/platform";
import { metricValue } from "@ndx/platform/testing";
import { startAdapter, startSimulator, type Harness } from "./harness.ts";

let dmt: DmtLegacy;
let harness: Harness;
let http: Listening;

beforeAll(async () => {
  dmt = await startSimulator();
  // The first call must succeed, so its timeout leaves room for a loaded machine (the first SOAP call also warms the
  // client); the injected latency is well past it.
  harness = startAdapter(dmt, { retries: 0, timeoutMs: 1000, breaker: { failureThreshold: 2, resetAfterMs: 600_000 } });
  http = await listen(harness.adapter.yoga, 0);
});
afterAll(async () => {
  await http?.close();
  await harness?.adapter.close();
  await dmt?.close();
});

const scrape = async () => {
  const response = await fetch(`${http.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return response.text();
};

const vehicles = (nic: string) =>
  fetch(`${http.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      operationName: "Vehicles",
      query: `query Vehicles($r: [_Any!]!) { _entities(representations: $r) { ... on Person { nic vehicles { regNo } } } }`,
      variables: { r: [{ __typename: "Person", nic }] },
    }),
  });

const calls = (text: string, outcome: string) =>
  metricValue(text, "ndx_legacy_calls_total", { provider: "dmt", operation: "GetVehiclesByOwner", outcome }) ?? 0;

describe("DMT adapter metrics", () => {
  it("count SOAP calls by outcome, timeouts included, and show the breaker they open", async () => {
    const before = await scrape();
    expect((await vehicles("199012345678")).status).toBe(200);
    const ok = await scrape();
    expect(calls(ok, "ok")).toBe(calls(before, "ok") + 1);
    expect(metricValue(ok, "ndx_circuit_breaker_state", { provider: "dmt", state: "closed" })).toBe(1);
    expect(metricValue(ok, "ndx_graphql_request_duration_seconds_count", { operation: "Vehicles", status: "200" })).toBe(1);

    dmt.faults.inject({ latencyMs: 5000 });
    try {
      for (let i = 0; i < 3; i++) expect((await vehicles("199012345678")).status).toBe(200);
    } finally {
      dmt.faults.clear();
    }
    const after = await scrape();
    expect(calls(after, "timeout")).toBe(2);
    expect(calls(after, "rejected_by_breaker")).toBe(1);
    expect(metricValue(after, "ndx_legacy_call_duration_seconds_count", { provider: "dmt", outcome: "timeout" })).toBe(2);
    expect(metricValue(after, "ndx_circuit_breaker_state", { provider: "dmt", state: "open" })).toBe(1);
  });
});
