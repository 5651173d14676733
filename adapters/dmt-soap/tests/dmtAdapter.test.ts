import { createTestGateway } from "@ndx/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkMapping, loadMapping, parseXml } from "@ndx/adapter-kit";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { subgraphSdl } from "@ndx/schema";
import { parse } from "graphql";
import type { DmtLegacy } from "@ndx/dmt-legacy";
import { dmtMappingFile, dmtNamespace, dmtOperations, loadDmtAdapterConfig } from "../src/index.ts";
import { canonical, credentials, entitiesOf, generated, query, startAdapter, startSimulator, vehiclesOf, type Harness } from "./harness.ts";

let dmt: DmtLegacy;
const open: Harness[] = [];

beforeAll(async () => {
  dmt = await startSimulator();
});
afterAll(() => dmt?.close());
afterEach(async () => {
  dmt.faults.clear();
  dmt.stats.reset();
  for (const h of open.splice(0)) await h.adapter.close();
});

function adapter(options: Parameters<typeof startAdapter>[1] = {}): Harness {
  const h = startAdapter(dmt, options);
  open.push(h);
  return h;
}

const calls = () => dmt.stats.snapshot().byOperation;
const chikondi = "199012345678";
const vehicleQuery = `query($regNo: String!) { vehicle(regNo: $regNo) { regNo make model year class { className classCode } } }`;

describe("mapping", () => {
  it("maps the DMT's vehicles onto Person.vehicles, as mapping.json says", async () => {
    const { adapter: a } = adapter();
    const body = await vehiclesOf(a, [chikondi, "200101010011"]);
    expect(body.errors).toBeUndefined();
    expect(entitiesOf(body)).toEqual([
      {
        nic: chikondi,
        vehicles: [
          { regNo: "FJ-1107-CE", make: "Isuzu", model: "D-Max", year: 2019, class: { className: "Light goods vehicle", classCode: "C1" } },
          { regNo: "FJ-0093-MC", make: "Honda", model: "CG125", year: 2012, class: { className: "Motorcycle", classCode: "A" } },
        ],
      },
      { nic: "200101010011", vehicles: [] },
    ]);
  });

  it("answers vehicle(regNo) from GetVehicleByRegNo", async () => {
    const { adapter: a } = adapter();
    const body = await query(a, vehicleQuery, { regNo: "FJ-4821-AB" });
    expect(body).toEqual({
      data: { vehicle: { regNo: "FJ-4821-AB", make: "Toyota", model: "Corolla", year: 2016, class: { className: "Light motor vehicle", classCode: "B" } } },
    });
    expect(calls()).toEqual({ GetVehicleByRegNo: 1 });
  });

  it("is data that fits the dmt SDL exactly", () => {
    const schema = buildSubgraphSchema({ typeDefs: parse(subgraphSdl("dmt")) });
    const mapping = loadMapping(dmtMappingFile);
    expect(mapping).toMatchObject({ provider: "dmt", schemaId: "dmt-schema-v1" });
    expect(checkMapping(mapping, schema)).toEqual([]);
  });

  it("uses the operations, SOAPActions and elements the DMT's WSDL publishes", async () => {
    const wsdl = parseXml(await (await fetch(`${dmt.url}/dmt?wsdl`)).text()) as {
      definitions: {
        "@_targetNamespace": string;
        binding: { operation: { "@_name": string; operation: { "@_soapAction": string } }[] };
        types: { schema: { element: { "@_name": string }[] } };
      };
    };
    expect(wsdl.definitions["@_targetNamespace"]).toBe(dmtNamespace);
    const actions = Object.fromEntries(wsdl.definitions.binding.operation.map((o) => [o["@_name"], o.operation["@_soapAction"]]));
    const elements = wsdl.definitions.types.schema.element.map((e) => e["@_name"]);
    for (const op of Object.values(dmtOperations)) {
      expect(actions[op.name]).toBe(op.soapAction);
      expect(elements).toContain(op.requestElement);
      expect(elements).toContain(op.responseElement);
    }
  });

  it("has every canonical citizen's vehicles", async () => {
    const { adapter: a } = adapter();
    const body = await vehiclesOf(a, canonical.map((c) => c.nic));
    expect(body.errors).toBeUndefined();
    expect(entitiesOf(body).map((p) => p?.vehicles)).toEqual(canonical.map((c) => c.dmt));
  });
});

describe("batching", () => {
  it("runs one _entities call's lookups in parallel, at most `concurrency` at a time, one per person", async () => {
    const { adapter: a } = adapter({ concurrency: 3 });
    dmt.faults.inject({ latencyMs: 50 });
    const nics = generated.slice(0, 12).map((c) => c.nic);
    const body = await vehiclesOf(a, nics);
    expect(body.errors).toBeUndefined();
    expect(entitiesOf(body)).toHaveLength(12);
    const stats = dmt.stats.snapshot();
    expect(stats.byOperation).toEqual({ GetVehiclesByOwner: 12 });
    // In parallel (never one after another), and never more than the bound.
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
  });

  it("asks once for a NIC that appears several times", async () => {
    const { adapter: a } = adapter();
    await vehiclesOf(a, [chikondi, chikondi]);
    expect(calls()).toEqual({ GetVehiclesByOwner: 1 });
  });

  it("fails only the people whose lookup failed", async () => {
    const { adapter: a } = adapter({ retries: 0, concurrency: 1 });
    dmt.faults.inject({ operation: "GetVehiclesByOwner", soapFault: "server", times: 1 });
    const body = await vehiclesOf(a, [chikondi, "198503150123"]);
    expect(entitiesOf(body).map((p) => p?.vehicles?.length ?? null)).toEqual([null, 1]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.path).toEqual(["_entities", 0, "vehicles"]);
  });
});

describe("faults", () => {
  it("gives null vehicles and UPSTREAM_UNAVAILABLE naming the DMT when it is down", async () => {
    // A DMT that was there and has stopped: nothing listens on its port any more.
    const stopped = await startSimulator();
    await stopped.close();
    const h = startAdapter(stopped);
    open.push(h);
    const body = await vehiclesOf(h.adapter, [chikondi]);
    expect(entitiesOf(body)).toEqual([{ nic: chikondi, vehicles: null }]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({
      message: "The DMT provider is unavailable",
      path: ["_entities", 0, "vehicles"],
      extensions: { code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "unavailable" },
    });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it("times out a slow DMT as UPSTREAM_TIMEOUT", async () => {
    const { adapter: a } = adapter({ timeoutMs: 100, retries: 0 });
    dmt.faults.inject({ latencyMs: 1000 });
    const body = await vehiclesOf(a, [chikondi]);
    expect(entitiesOf(body)).toEqual([{ nic: chikondi, vehicles: null }]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_TIMEOUT", provider: "dmt", reason: "timeout" });
  });

  it("retries a Server Fault and a 503 from a proxy, and succeeds", async () => {
    const { adapter: a } = adapter();
    dmt.faults.inject({ soapFault: "server", times: 1 });
    dmt.faults.inject({ status: 503, times: 1 });
    const body = await vehiclesOf(a, [chikondi]);
    expect(body.errors).toBeUndefined();
    expect(calls()).toEqual({ GetVehiclesByOwner: 3 });
  });

  it("never shows what a Fault says (internals, credentials)", async () => {
    const { adapter: a, logs } = adapter();
    dmt.faults.inject({ soapFault: "server" });
    const body = await vehiclesOf(a, [chikondi]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "unavailable" });
    expect(calls()).toEqual({ GetVehiclesByOwner: 3 });
    for (const text of [JSON.stringify(body), logs.join("")]) {
      expect(text).not.toMatch(/ORA-01017|Tr@ffic|VehicleDao/);
      expect(text).not.toContain(credentials.password);
    }
  });

  it("does not retry a Client Fault, nor refused credentials", async () => {
    const { adapter: a } = adapter();
    dmt.faults.inject({ soapFault: "client", times: 1 });
    const client = await vehiclesOf(a, [chikondi]);
    expect(client.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "rejected" });
    const { adapter: wrong, logs } = adapter({ credentials: { username: "ndx-test", password: "wrong-pass-0b7" } });
    const refused = await vehiclesOf(wrong, [chikondi]);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "rejected" });
    expect(calls()).toEqual({ GetVehiclesByOwner: 2 });
    expect(logs.join("")).toContain("FailedAuthentication");
    expect(logs.join("") + JSON.stringify(refused)).not.toContain("wrong-pass-0b7");
  });

  it("is NOT_FOUND naming the DMT for an unknown registration number, without retrying", async () => {
    const { adapter: a } = adapter();
    const body = await query(a, vehicleQuery, { regNo: "FJ-0000-ZZ" });
    expect(body.data).toEqual({ vehicle: null });
    expect(body.errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND", provider: "dmt", reason: "not_found" });
    expect(calls()).toEqual({ GetVehicleByRegNo: 1 });
  });
});

describe("circuit breaker", () => {
  it("opens after repeated failures, fails fast, half-opens after the reset time and closes on success", async () => {
    let now = 0;
    const { adapter: a } = adapter({ retries: 0, breaker: { failureThreshold: 2, resetAfterMs: 5000, now: () => now } });
    dmt.faults.inject({ status: 502 });
    await vehiclesOf(a, [chikondi]);
    await vehiclesOf(a, [chikondi]);
    expect(a.upstream.breaker.state).toBe("open");
    const fast = await vehiclesOf(a, [chikondi]);
    expect(fast.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "circuit_open" });
    expect(calls()).toEqual({ GetVehiclesByOwner: 2 });
    now += 5000;
    expect(a.upstream.breaker.state).toBe("half_open");
    dmt.faults.clear();
    expect((await vehiclesOf(a, [chikondi])).errors).toBeUndefined();
    expect(a.upstream.breaker.state).toBe("closed");
    expect(calls()).toEqual({ GetVehiclesByOwner: 3 });
  });

  it("lets one trial through when half-open, however many people a request asks for", async () => {
    let now = 0;
    const { adapter: a } = adapter({ retries: 0, breaker: { failureThreshold: 1, resetAfterMs: 5000, now: () => now } });
    dmt.faults.inject({ status: 503, times: 1 });
    await vehiclesOf(a, [chikondi]);
    now += 5000;
    dmt.faults.inject({ latencyMs: 100, status: 503, times: 1 });
    const body = await vehiclesOf(a, generated.slice(0, 5).map((c) => c.nic));
    expect(body.errors?.map((e) => e.extensions?.["reason"]).sort()).toEqual(["circuit_open", "circuit_open", "circuit_open", "circuit_open", "unavailable"]);
    expect(calls()).toEqual({ GetVehiclesByOwner: 2 });
    expect(a.upstream.breaker.state).toBe("open");
  });
});

describe("malformed answers", () => {
  it.each(["malformed-xml", "xxe", "entity-bomb", "oversized", "wrong-shape", "not-soap"] as const)(
    "%s is UPSTREAM_UNAVAILABLE (unreadable), not retried, nothing of it shown",
    async (kind) => {
      const { adapter: a, logs } = adapter();
      dmt.faults.inject({ body: kind });
      const body = await vehiclesOf(a, [chikondi]);
      expect(entitiesOf(body)).toEqual([{ nic: chikondi, vehicles: null }]);
      expect(body.errors?.[0]?.extensions).toEqual({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt", reason: "malformed" });
      expect(calls()).toEqual({ GetVehiclesByOwner: 1 });
      const shown = JSON.stringify(body);
      expect(shown).not.toMatch(/root:|passwd|lol|two thousand|FJ-0000-XX/);
      if (kind === "xxe" || kind === "entity-bomb") expect(logs.join("")).toContain("XML refused (doctype)");
    },
  );
});

describe("bad input", () => {
  it.each(["fj-1107-ce", "FJ-1107", "FJ-1107-CE<x/>", "", "FJ-1107-CE\n"])("refuses regNo %j with BAD_USER_INPUT, calling nothing", async (regNo) => {
    const { adapter: a } = adapter();
    const body = await query(a, vehicleQuery, { regNo });
    expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", argument: "regNo" });
    expect(dmt.stats.snapshot().total).toBe(0);
  });

  it("refuses a bad entity key with BAD_USER_INPUT, calling nothing", async () => {
    const { adapter: a } = adapter();
    const body = await vehiclesOf(a, ["1990</OwnerNic>"]);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", argument: "nic" });
    expect(dmt.stats.snapshot().total).toBe(0);
  });

  it("refuses a wrongly typed variable with BAD_USER_INPUT", async () => {
    const { adapter: a } = adapter();
    const body = await query(a, vehicleQuery, { regNo: 42 });
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  });
});

describe("only the gateway", () => {
  const gateway = createTestGateway();
  const evil = { kind: "staff", id: "evil.maker", roles: ["registrar"], traceId: undefined } as const;
  const graphql = (a: Harness["adapter"], headers: Record<string, string>) =>
    a.yoga.fetch("http://dmt.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query: vehicleQuery, variables: { regNo: "FJ-4821-AB" } }),
    });

  it("refuses GraphQL without the gateway's assertion for dmt, whatever else is presented; health stays open", async () => {
    const { adapter: a } = adapter({ gatewayTrust: gateway.trust });
    for (const [what, headers] of Object.entries(await gateway.forgeries("dmt", evil))) {
      const response = await graphql(a, headers);
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
      expect(await response.json()).toEqual({
        errors: [{ message: "Subgraphs answer only the NDX gateway", extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } }],
      });
    }
    expect(dmt.stats.snapshot().total).toBe(0);
    expect((await a.yoga.fetch("http://dmt.test/ready")).status).toBe(200);
    expect((await a.yoga.fetch("http://dmt.test/health")).status).toBe(200);
    expect((await a.yoga.fetch("http://dmt.test/metrics")).status).toBe(200);
    const genuine = await graphql(a, await gateway.headers("dmt", evil));
    expect(genuine.status).toBe(200);
  });

  it("serves no GraphiQL page to a browser without the gateway's assertion", async () => {
    const { adapter: a } = adapter({ gatewayTrust: gateway.trust, graphiql: true });
    const page = await a.yoga.fetch("http://dmt.test/graphql", { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});

describe("configuration", () => {
  it("takes development credentials only in development", () => {
    expect(loadDmtAdapterConfig({})).toMatchObject({ DMT_LEGACY_USERNAME: "ndx-adapter", DMT_LEGACY_PASSWORD: "dev-dmt-password" });
    expect(() => loadDmtAdapterConfig({ NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json" })).toThrow(
      /DMT_LEGACY_PASSWORD/,
    );
    expect(() => loadDmtAdapterConfig({ NDX_ENV: "production", DMT_LEGACY_PASSWORD: "p".repeat(32) })).toThrow(/GATEWAY_JWKS_URL/);
    expect(loadDmtAdapterConfig({}).gatewayTrust).toEqual({ jwks: "http://localhost:4000/.well-known/jwks.json", issuer: "ndx-gateway" });
  });
});
