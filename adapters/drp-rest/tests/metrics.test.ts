/**
 * GET /metrics on the DRP adapter over real HTTP: GraphQL requests by operation name, DRP calls by operation and
 * outcome with their latency, and the circuit breaker's state as simulator faults open it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrpLegacy } from "@ndx/drp-legacy";
import { listen, type Listening } from "@ndx/platform";
import { metricValue } from "@ndx/platform/testing";
import { startAdapter, startSimulator, type Harness } from "./harness.ts";

let drp: DrpLegacy;
let harness: Harness;
let http: Listening;

beforeAll(async () => {
  drp = await startSimulator();
  // No retries and a breaker that opens after two faults and stays open for the test.
  harness = startAdapter(drp, { retries: 0, breaker: { failureThreshold: 2, resetAfterMs: 600_000 } });
  http = await listen(harness.adapter.yoga, 0);
});
afterAll(async () => {
  await http?.close();
  await harness?.adapter.close();
  await drp?.close();
});

const scrape = async () => {
  const response = await fetch(`${http.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

const lookup = (nic: string) =>
  fetch(`${http.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      operationName: "Lookup",
      query: `query Lookup($r: [_Any!]!) { _entities(representations: $r) { ... on Person { nic profession } } }`,
      variables: { r: [{ __typename: "Person", nic }] },
    }),
  });

const calls = (text: string, outcome: string) => metricValue(text, "ndx_legacy_calls_total", { provider: "drp", operation: "getPerson", outcome }) ?? 0;
const state = (text: string, s: string) => metricValue(text, "ndx_circuit_breaker_state", { provider: "drp", state: s });

describe("DRP adapter metrics", () => {
  it("start with a closed breaker and count requests and DRP calls as they happen", async () => {
    const before = await scrape();
    expect(state(before, "closed")).toBe(1);
    expect(state(before, "open")).toBe(0);
    expect(state(before, "half_open")).toBe(0);
    expect((await lookup("199012345678")).status).toBe(200);
    const after = await scrape();
    expect(calls(after, "ok")).toBe(calls(before, "ok") + 1);
    expect(metricValue(after, "ndx_legacy_call_duration_seconds_count", { provider: "drp", operation: "getPerson", outcome: "ok" })).toBe(calls(after, "ok"));
    expect(metricValue(after, "ndx_graphql_request_duration_seconds_count", { operation: "Lookup", status: "200", service: "drp" })).toBe(1);
  });

  it("show the breaker open after DRP faults, and the calls it then rejects", async () => {
    const before = await scrape();
    drp.faults.inject({ status: 503 });
    try {
      for (let i = 0; i < 3; i++) expect((await lookup("199012345678")).status).toBe(200);
    } finally {
      drp.faults.clear();
    }
    const after = await scrape();
    expect(calls(after, "error")).toBe(calls(before, "error") + 2);
    expect(calls(after, "rejected_by_breaker")).toBe(calls(before, "rejected_by_breaker") + 1);
    expect(state(after, "open")).toBe(1);
    expect(state(after, "closed")).toBe(0);
    expect(metricValue(after, "ndx_circuit_breaker_transitions_total", { provider: "drp", to: "open" })).toBe(1);
    // Rejected calls never reached the DRP: no latency recorded for them.
    expect(metricValue(after, "ndx_legacy_call_duration_seconds_count", { outcome: "rejected_by_breaker" })).toBeUndefined();
  });
});
