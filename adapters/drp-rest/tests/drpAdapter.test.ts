import { createTestGateway } from "@ndx/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkMapping, loadMapping } from "@ndx/adapter-kit";
import { subgraphSdl } from "@ndx/schema";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import type { DrpLegacy } from "@ndx/drp-legacy";
import { drpMappingFile, loadDrpAdapterConfig } from "../src/index.ts";
import { drpServedSdl } from "../src/drpAdapter.ts";
import { apiKey, canonical, entities, generated, startAdapter, startSimulator, type Harness } from "./harness.ts";

let drp: DrpLegacy;
const open: Harness[] = [];

beforeAll(async () => {
  drp = await startSimulator();
});
afterAll(() => drp?.close());
afterEach(async () => {
  drp.faults.clear();
  drp.stats.reset();
  for (const h of open.splice(0)) await h.adapter.close();
});

function adapter(options: Parameters<typeof startAdapter>[1] = {}): Harness {
  const h = startAdapter(drp, options);
  open.push(h);
  return h;
}

const calls = () => drp.stats.snapshot().byOperation;
const chikondi = "199012345678";
const ruth = "196806300456";

describe("mapping", () => {
  it("maps DRP's record onto the Person fields, as mapping.json says", async () => {
    const { adapter: a } = adapter();
    const body = await entities(a, [chikondi, "198503150123"]);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toEqual([
      { nic: chikondi, registeredName: "Chikondi Emmanuel Mulenga", otherNames: [], permanentAddress: "Plot 7, Zobwe Avenue, Ilanga", profession: "Civil engineer" },
      { nic: "198503150123", registeredName: "Josephine Kalumba Phiri", otherNames: ["Jo"], permanentAddress: "14 Msasa Road, Isamba, Ibombo", profession: "Teacher" },
    ]);
  });

  it("is data that fits the SDL the adapter serves exactly: the drp contract and the fields ahead of it", () => {
    const schema = buildSubgraphSchema({ typeDefs: parse(drpServedSdl) });
    const mapping = loadMapping(drpMappingFile);
    expect(mapping).toMatchObject({ provider: "drp", schemaId: "drp-schema-v1" });
    expect(checkMapping(mapping, schema)).toEqual([]);
    // Every field of the contract is served.
    expect(drpServedSdl.startsWith(subgraphSdl("drp"))).toBe(true);
  });

  it("serves recordStatus, which the legacy record holds, ahead of the contract (issue 17's live schema change)", async () => {
    const { adapter: a } = adapter();
    const response = await a.yoga.fetch("http://drp.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { nic recordStatus } } }",
        variables: { r: [{ __typename: "Person", nic: chikondi }, { __typename: "Person", nic: ruth }] },
      }),
    });
    expect(await response.json()).toEqual({ data: { _entities: [{ nic: chikondi, recordStatus: "ACTIVE" }, { nic: ruth, recordStatus: null }] } });
  });
});

describe("a person the DRP does not know", () => {
  it("has null DRP fields and no error (Ruth Nomsa Lungu: DRP answers 404)", async () => {
    const { adapter: a } = adapter();
    const body = await entities(a, [ruth]);
    expect(body).toEqual({
      data: { _entities: [{ nic: ruth, registeredName: null, otherNames: null, permanentAddress: null, profession: null }] },
    });
    expect(calls()).toEqual({ getPerson: 1 });
  });

  it("has null fields and no error inside a batch too", async () => {
    const { adapter: a } = adapter();
    const body = await entities(a, [chikondi, ruth]);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities?.[1]).toEqual({ nic: ruth, registeredName: null, otherNames: null, permanentAddress: null, profession: null });
  });
});

describe("batching", () => {
  it("makes one batch call upstream for one _entities call of many people", async () => {
    const { adapter: a } = adapter();
    const nics = generated.slice(0, 60).map((c) => c.nic);
    const body = await entities(a, nics);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toHaveLength(60);
    expect(calls()).toEqual({ batchLookup: 1 });
    expect(drp.stats.snapshot().total).toBe(1);
  });

  it("splits a batch larger than the DRP's limit into that many calls, not one per person", async () => {
    const { adapter: a } = adapter({ batchSize: 25 });
    const body = await entities(a, generated.slice(0, 60).map((c) => c.nic));
    expect(body.errors).toBeUndefined();
    expect(calls()).toEqual({ batchLookup: 3 });
  });

  it("asks once for a NIC that appears several times", async () => {
    const { adapter: a } = adapter();
    const body = await entities(a, [chikondi, chikondi, chikondi]);
    expect(body.data?._entities).toHaveLength(3);
    expect(calls()).toEqual({ getPerson: 1 });
  });
});

describe("faults", () => {
  it("times out a slow DRP as UPSTREAM_TIMEOUT naming the provider", async () => {
    const { adapter: a } = adapter({ timeoutMs: 100, retries: 0 });
    drp.faults.inject({ latencyMs: 1000 });
    const body = await entities(a, [chikondi]);
    expect(body.data?._entities).toEqual([null]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_TIMEOUT", provider: "drp", reason: "timeout" });
    expect(body.errors?.[0]?.message).toBe("The DRP provider did not answer in time");
  });

  it("retries a read that failed with 503, and succeeds", async () => {
    const { adapter: a } = adapter();
    drp.faults.inject({ status: 503, times: 2 });
    const body = await entities(a, [chikondi]);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities?.[0]?.["registeredName"]).toBe("Chikondi Emmanuel Mulenga");
    expect(calls()).toEqual({ getPerson: 3 });
  });

  it("retries after a slow attempt timed out", async () => {
    // The retry must succeed within the same timeout: 2 s (was 100 ms, which a loaded 2-core CI machine could overrun),
    // and the slow attempt far slower than that.
    const { adapter: a } = adapter({ timeoutMs: 2000, retries: 1 });
    drp.faults.inject({ latencyMs: 30_000, times: 1 });
    const body = await entities(a, [chikondi, "198503150123"]);
    expect(body.errors).toBeUndefined();
    expect(calls()).toEqual({ batchLookup: 2 });
  });

  it("gives up after the retries as UPSTREAM_UNAVAILABLE, without the DRP's error body", async () => {
    const { adapter: a, logs } = adapter();
    drp.faults.inject({ status: 500 });
    const body = await entities(a, [chikondi]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "unavailable" });
    expect(calls()).toEqual({ getPerson: 3 });
    const shown = JSON.stringify(body);
    for (const secret of ["s3cr3t", "PersonDao", "SQLException", "drp_admin", "stack"]) expect(shown).not.toContain(secret);
    expect(logs.join("")).not.toContain("s3cr3t");
  });

  it("honours a short Retry-After on 429 and retries", async () => {
    const { adapter: a } = adapter();
    drp.faults.inject({ status: 429, retryAfterSeconds: 0, times: 1 });
    const body = await entities(a, [chikondi]);
    expect(body.errors).toBeUndefined();
    expect(calls()).toEqual({ getPerson: 2 });
  });

  it("does not wait out a long Retry-After: fails at once as UPSTREAM_UNAVAILABLE", async () => {
    const { adapter: a } = adapter();
    drp.faults.inject({ status: 429, retryAfterSeconds: 120, times: 1 });
    const body = await entities(a, [chikondi]);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "rate_limited" });
    expect(calls()).toEqual({ getPerson: 1 });
  });

  it("does not retry when the DRP refuses our credentials, and never shows or logs them", async () => {
    const { adapter: a, logs } = adapter({ apiKey: "wrong-key-5d1e" });
    const body = await entities(a, [chikondi]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "rejected" });
    expect(calls()).toEqual({ getPerson: 1 });
    expect(logs.some((l) => l.includes("credentials refused"))).toBe(true);
    for (const text of [JSON.stringify(body), logs.join("")]) {
      expect(text).not.toContain("wrong-key-5d1e");
      expect(text).not.toContain(apiKey);
    }
  });

  it("is UPSTREAM_UNAVAILABLE when the DRP cannot be reached", async () => {
    const { adapter: a } = adapter({ baseUrl: "http://127.0.0.1:9", retries: 0 });
    const body = await entities(a, [chikondi]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "unavailable" });
    expect(body.errors?.[0]?.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });
});

describe("circuit breaker", () => {
  it("opens after repeated failures, fails fast without calling the DRP, then half-opens and closes on success", async () => {
    let now = 0;
    const { adapter: a } = adapter({ retries: 0, breaker: { failureThreshold: 2, resetAfterMs: 5000, now: () => now } });
    drp.faults.inject({ status: 503 });
    await entities(a, [chikondi]);
    await entities(a, [chikondi]);
    expect(a.upstream.breaker.state).toBe("open");
    expect(calls()).toEqual({ getPerson: 2 });

    const fast = await entities(a, [chikondi]);
    expect(fast.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "circuit_open" });
    expect(calls()).toEqual({ getPerson: 2 });

    now += 5000;
    expect(a.upstream.breaker.state).toBe("half_open");
    drp.faults.clear();
    const trial = await entities(a, [chikondi]);
    expect(trial.errors).toBeUndefined();
    expect(a.upstream.breaker.state).toBe("closed");
    expect(calls()).toEqual({ getPerson: 3 });
  });

  it("opens again when the half-open trial fails", async () => {
    let now = 0;
    const { adapter: a } = adapter({ retries: 0, breaker: { failureThreshold: 1, resetAfterMs: 5000, now: () => now } });
    drp.faults.inject({ status: 503 });
    await entities(a, [chikondi]);
    now += 5000;
    await entities(a, [chikondi]);
    expect(a.upstream.breaker.state).toBe("open");
    expect(calls()).toEqual({ getPerson: 2 });
  });

  it("is not opened by people the DRP does not know", async () => {
    const { adapter: a } = adapter({ retries: 0, breaker: { failureThreshold: 1, resetAfterMs: 5000 } });
    await entities(a, [ruth]);
    await entities(a, [ruth]);
    expect(a.upstream.breaker.state).toBe("closed");
  });
});

describe("malformed answers", () => {
  it.each(["bad-json", "wrong-shape", "html", "oversized"] as const)(
    "%s is UPSTREAM_UNAVAILABLE (unreadable), not retried, nothing of it shown",
    async (kind) => {
      const { adapter: a } = adapter();
      drp.faults.inject({ body: kind });
      for (const nics of [[chikondi], [chikondi, "198503150123"]]) {
        const body = await entities(a, nics);
        expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "drp", reason: "malformed" });
        expect(body.errors?.[0]?.message).toBe("The DRP provider answered with a response that could not be read");
        expect(JSON.stringify(body)).not.toMatch(/s3cr3t|Chik|not.*a.*name/);
      }
      expect(drp.stats.snapshot().total).toBe(2);
    },
  );
});

describe("bad input", () => {
  it.each([["12345"], ["19901234567X"], [199012345678], [null]])("refuses the entity key %j with BAD_USER_INPUT, calling nothing", async (nic) => {
    const { adapter: a } = adapter();
    const body = await entities(a, [nic]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", argument: "nic" });
    expect(drp.stats.snapshot().total).toBe(0);
  });

  it("answers a syntax error with BAD_USER_INPUT", async () => {
    const { adapter: a } = adapter();
    const response = await a.yoga.fetch("http://drp.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ _entities(" }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("health", () => {
  it("is ready while the DRP answers, not ready when it does not", async () => {
    const { adapter: up } = adapter();
    expect((await up.yoga.fetch("http://drp.test/ready")).status).toBe(200);
    const { adapter: down } = adapter({ baseUrl: "http://127.0.0.1:9" });
    expect((await down.yoga.fetch("http://drp.test/health")).status).toBe(200);
    expect((await down.yoga.fetch("http://drp.test/ready")).status).toBe(503);
  });
});

it("knows every canonical citizen the fixtures give a DRP record", async () => {
  const { adapter: a } = adapter();
  const body = await entities(a, canonical.map((c) => c.nic));
  expect(body.errors).toBeUndefined();
  expect(body.data?._entities?.map((p) => p?.["permanentAddress"] ?? null)).toEqual(canonical.map((c) => c.drp?.permanentAddress ?? null));
});

describe("only the gateway", () => {
  it("refuses GraphQL without the gateway's assertion for drp (the old shared token, one for dmt, ...); health stays open", async () => {
    const gateway = createTestGateway();
    const consumer = { kind: "consumer", id: "passport-app", roles: [], traceId: undefined } as const;
    const { adapter: a } = adapter({ gatewayTrust: gateway.trust });
    const request = (headers: Record<string, string>) =>
      a.yoga.fetch("http://drp.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: "{ _service { sdl } }" }),
      });
    for (const [what, headers] of Object.entries(await gateway.forgeries("drp", consumer))) {
      expect({ what, status: (await request(headers)).status }).toEqual({ what, status: 401 });
    }
    expect((await request(await gateway.headers("drp", consumer))).status).toBe(200);
    expect((await a.yoga.fetch("http://drp.test/graphql", { headers: { accept: "text/html" } })).status).toBe(401);
    expect((await a.yoga.fetch("http://drp.test/health")).status).toBe(200);
    expect(drp.stats.snapshot().total).toBe(0);
  });
});

describe("configuration", () => {
  it("takes development credentials only in development", () => {
    expect(loadDrpAdapterConfig({})).toMatchObject({
      DRP_LEGACY_API_KEY: "dev-drp-api-key",
      gatewayTrust: { jwks: "http://localhost:4000/.well-known/jwks.json", issuer: "ndx-gateway" },
    });
    const jwks = "https://gateway.example/.well-known/jwks.json";
    expect(() => loadDrpAdapterConfig({ NDX_ENV: "production", GATEWAY_JWKS_URL: jwks })).toThrow(/DRP_LEGACY_API_KEY/);
    expect(() => loadDrpAdapterConfig({ NDX_ENV: "production", DRP_LEGACY_API_KEY: "dev-drp-api-key", GATEWAY_JWKS_URL: jwks })).toThrow(
      /DRP_LEGACY_API_KEY/,
    );
    expect(() => loadDrpAdapterConfig({ NDX_ENV: "production", DRP_LEGACY_API_KEY: "k".repeat(32) })).toThrow(/GATEWAY_JWKS_URL/);
    const real = { NDX_ENV: "production", DRP_LEGACY_API_KEY: "k".repeat(32), GATEWAY_JWKS_URL: jwks, GATEWAY_ISSUER: "https://gateway.example" };
    expect(loadDrpAdapterConfig(real)).toMatchObject({
      DRP_LEGACY_API_KEY: "k".repeat(32),
      DRP_LEGACY_TIMEOUT_MS: 2000,
      DRP_LEGACY_BATCH_SIZE: 100,
      gatewayTrust: { jwks, issuer: "https://gateway.example" },
    });
  });
});
