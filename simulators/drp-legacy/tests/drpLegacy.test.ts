import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { createDrpStore, startDrpLegacy, type DrpLegacy } from "../src/index.ts";

const key = "test-key";
const canonical = loadFarajaland(defaultFixturesFile).citizens;
const generated = generateCitizens({ count: 50, reserved: canonical });
let drp: DrpLegacy;

beforeAll(async () => {
  drp = await startDrpLegacy({
    store: createDrpStore([...canonical, ...generated]),
    apiKeys: ["other-key", key],
    port: 0,
    maxBatch: 10,
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
    logger: createLogger("test", "silent"),
  });
});
afterAll(() => drp?.close());
beforeEach(() => {
  drp.faults.clear();
  drp.stats.reset();
});

const get = (path: string, headers: Record<string, string> = { "x-api-key": key }) => fetch(`${drp.url}${path}`, { headers });
const batch = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${drp.url}/api/v1/persons/batch-lookup`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json", ...headers },
    body,
  });

describe("person by NIC", () => {
  it("returns every canonical citizen with a DRP record, in DRP's own shape", async () => {
    for (const c of canonical.filter((c) => c.drp !== null)) {
      const response = await get(`/api/v1/persons/${c.nic}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        nic: c.nic,
        person: { fullName: c.drp?.fullName, otherNames: c.drp?.otherNames, profession: c.drp?.profession },
        address: { permanent: c.drp?.permanentAddress },
        recordStatus: "ACTIVE",
      });
    }
  });

  it("seeds the generated citizens too", async () => {
    const withDrp = generated.find((c) => c.drp !== null);
    expect((await get(`/api/v1/persons/${withDrp?.nic}`)).status).toBe(200);
  });

  it("is 404 for a person the DRP does not know (Ruth Nomsa Lungu)", async () => {
    const response = await get("/api/v1/persons/196806300456");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "PERSON_NOT_FOUND" });
  });

  it("is 400 for a NIC that is not 12 digits", async () => {
    expect((await get("/api/v1/persons/12345")).status).toBe(400);
    expect((await get("/api/v1/persons/1990123456789")).status).toBe(400);
  });
});

describe("authentication and HTTP semantics", () => {
  it("is 401 with WWW-Authenticate without a key or with a wrong one", async () => {
    for (const headers of [{}, { "x-api-key": "wrong" }]) {
      const response = await get("/api/v1/persons/199012345678", headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/X-API-Key/);
    }
  });

  it("is 429 with Retry-After when a key goes over its rate", async () => {
    const limited = await startDrpLegacy({
      store: createDrpStore(canonical),
      apiKeys: [key],
      port: 0,
      rateLimit: { ratePerSecond: 1, burst: 2 },
      logger: createLogger("test", "silent"),
    });
    try {
      const statuses = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${limited.url}/api/v1/persons/199012345678`, { headers: { "x-api-key": key } });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get("retry-after");
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it("is 405 for the wrong method and 404 for an unknown path", async () => {
    expect((await fetch(`${drp.url}/api/v1/persons/199012345678`, { method: "DELETE", headers: { "x-api-key": key } })).status).toBe(405);
    expect((await get("/api/v2/people")).status).toBe(404);
  });

  it("serves its OpenAPI 3 document without a key", async () => {
    const response = await fetch(`${drp.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: unknown } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(["/api/v1/persons/{nic}", "/api/v1/persons/batch-lookup"]);
    expect(doc.components.securitySchemes).toEqual({ ApiKeyAuth: { type: "apiKey", in: "header", name: "X-API-Key" } });
  });
});

describe("batch lookup", () => {
  it("returns many persons in one call, and the NICs it does not know", async () => {
    const nics = ["199012345678", "196806300456", "198503150123", "199012345678"];
    const response = await batch(JSON.stringify({ nics }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { nic: string }[]; notFound: string[] };
    expect(body.results.map((r) => r.nic)).toEqual(["199012345678", "198503150123"]);
    expect(body.notFound).toEqual(["196806300456"]);
    expect(drp.stats.snapshot().byOperation).toEqual({ batchLookup: 1 });
  });

  it.each([
    ["not JSON", "{nics:", 400],
    ["no nics", "{}", 400],
    ["an empty list", '{"nics": []}', 400],
    ["a bad NIC", '{"nics": ["199012345678", "12"]}', 400],
    ["more than the batch limit", JSON.stringify({ nics: Array.from({ length: 11 }, () => "199012345678") }), 400],
    ["a body over 64 KiB", JSON.stringify({ nics: ["199012345678"], pad: "x".repeat(70_000) }), 413],
  ])("refuses %s", async (_, body, status) => {
    expect((await batch(body)).status).toBe(status);
  });

  it("is 415 for a body that is not declared JSON", async () => {
    expect((await batch('{"nics": ["199012345678"]}', { "content-type": "text/plain" })).status).toBe(415);
  });
});

describe("test-only faults", () => {
  it("answers an injected error with Retry-After, for the given number of calls", async () => {
    drp.faults.inject({ operation: "getPerson", status: 503, retryAfterSeconds: 7, times: 1 });
    const first = await get("/api/v1/persons/199012345678");
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("7");
    expect((await get("/api/v1/persons/199012345678")).status).toBe(200);
    expect(drp.stats.snapshot().byOperation).toEqual({ getPerson: 2 });
  });

  it("delays an answer by the injected latency", async () => {
    drp.faults.inject({ latencyMs: 300, times: 1 });
    const started = Date.now();
    expect((await get("/api/v1/persons/199012345678")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("answers broken bodies with HTTP 200", async () => {
    drp.faults.inject({ body: "bad-json", times: 1 });
    const response = await get("/api/v1/persons/199012345678");
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });
});
