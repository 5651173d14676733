/**
 * GET /metrics on the registry over real HTTP: no credential needed (the gateway's assertions are for GraphQL), and the
 * GraphQL request histogram by operation name moves as the gateway calls it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listening } from "@ndx/platform";
import { metricValue, testBackends } from "@ndx/platform/testing";
import { gatewayHeaders, passportApp, startTestRegistry, type TestRegistry } from "./harness.ts";

let registry: TestRegistry;
let http: Listening;

beforeAll(async () => {
  const [pglite] = testBackends({});
  if (pglite === undefined) throw new Error("no PGlite backend");
  registry = await startTestRegistry(pglite, { generated: 0 });
  http = await listen(registry.yoga, 0);
});
afterAll(async () => {
  await http?.close();
  await registry?.close();
});

const scrape = async () => {
  const response = await fetch(`${http.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe("registry metrics", () => {
  it("count GraphQL requests by operation name and status", async () => {
    const before = await scrape();
    const count = (text: string, labels: Record<string, string>) => metricValue(text, "ndx_graphql_request_duration_seconds_count", labels) ?? 0;
    const response = await fetch(`${http.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await gatewayHeaders(passportApp)) },
      body: JSON.stringify({ operationName: "Districts", query: "query Districts { districts }" }),
    });
    expect(response.status).toBe(200);
    const refused = await fetch(`${http.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operationName: "Districts", query: "query Districts { districts }" }),
    });
    expect(refused.status).toBe(401);
    const after = await scrape();
    expect(count(after, { operation: "Districts", status: "200", service: "registry" })).toBe(count(before, { operation: "Districts", status: "200" }) + 1);
    expect(count(after, { status: "401" })).toBe(count(before, { status: "401" }) + 1);
    expect(metricValue(after, "process_cpu_seconds_total")).toBeGreaterThan(0);
  });
});
