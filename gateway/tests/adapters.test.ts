/**
 * The adapters through the gateway: the real registry, the DRP and DMT adapters and their legacy simulators, all
 * over real HTTP on free ports. One query reads all three providers; a provider that fails nulls only its fields.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDmtStore, startDmtLegacy, type DmtLegacy } from "@ndx/dmt-legacy";
import { createDmtAdapter, type DmtAdapter } from "@ndx/dmt-soap";
import { createDrpStore, startDrpLegacy, type DrpLegacy } from "@ndx/drp-legacy";
import { createDrpAdapter, type DrpAdapter } from "@ndx/drp-rest";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile, listen, type Listening } from "@ndx/platform";
import { readSupergraph } from "@ndx/schema";
import { createGateway, type Gateway } from "../src/index.ts";
import { logger, post, startRegistry, assertions, gatewayTrust, type RunningRegistry } from "./harness.ts";

const generatedCount = 200;
const canonical = loadFarajaland(defaultFixturesFile).citizens;
// The same deterministic citizens the registry harness seeds.
const citizens = [...canonical, ...generateCitizens({ count: generatedCount, reserved: canonical })];
const apiKey = "gw-test-drp-key";
const credentials = { username: "gw-test", password: "gw-test-dmt-pass" };

interface Served {
  readonly url: string;
  requests(): number;
  close(): Promise<void>;
}

async function serve(yoga: Parameters<typeof listen>[0], close: () => Promise<void>): Promise<Served> {
  let count = 0;
  const http: Listening = await listen((req, res) => {
    if (req.url?.startsWith("/graphql") === true) count += 1;
    void yoga(req, res);
  }, 0);
  return {
    url: `${http.url}/graphql`,
    requests: () => count,
    async close() {
      await http.close();
      await close();
    },
  };
}

// The adapters' timeout of a legacy call: 3 s (was 500 ms, which left a call with 300 ms of injected latency 200 ms on a
// loaded 2-core CI machine). The slow-DRP test injects far more latency, and two tries of it stay under the gateway's
// own 10 s subgraph timeout.
const legacyTimeoutMs = 3000;

function drpAdapter(baseUrl: string): DrpAdapter {
  return createDrpAdapter({ baseUrl, apiKey, timeoutMs: legacyTimeoutMs, retries: 1, backoff: { baseMs: 5, maxMs: 10 }, gatewayTrust, logger });
}

function dmtAdapter(baseUrl: string): DmtAdapter {
  return createDmtAdapter({ baseUrl, credentials, timeoutMs: legacyTimeoutMs, retries: 1, backoff: { baseMs: 5, maxMs: 10 }, gatewayTrust, logger });
}

function gatewayFor(urls: Record<string, string>): Promise<Gateway> {
  return createGateway({ supergraphSdl: readSupergraph(), subgraphUrls: urls, assertions, logger });
}

let registry: RunningRegistry;
let drpLegacy: DrpLegacy;
let dmtLegacy: DmtLegacy;
let drp: Served;
let dmt: Served;
let gateway: Gateway;

beforeAll(async () => {
  [registry, drpLegacy, dmtLegacy] = await Promise.all([
    startRegistry(generatedCount),
    startDrpLegacy({ store: createDrpStore(citizens), apiKeys: [apiKey], port: 0, logger }),
    startDmtLegacy({ store: createDmtStore(citizens), credentials, port: 0, logger }),
  ]);
  const drpA = drpAdapter(drpLegacy.url);
  const dmtA = dmtAdapter(dmtLegacy.url);
  drp = await serve(drpA.yoga, drpA.close);
  dmt = await serve(dmtA.yoga, dmtA.close);
  gateway = await gatewayFor({ registry: registry.url, drp: drp.url, dmt: dmt.url });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([drp?.close(), dmt?.close()]);
  await Promise.all([registry?.close(), drpLegacy?.close(), dmtLegacy?.close()]);
});

afterEach(() => {
  drpLegacy.faults.clear();
  dmtLegacy.faults.clear();
  drpLegacy.stats.reset();
  dmtLegacy.stats.reset();
});

const doneWhen = `{ person(nic: "199012345678") { fullName dateOfBirth permanentAddress profession vehicles { regNo make class { classCode } } } }`;

describe("one query, three providers", () => {
  it("returns registry, DRP and DMT data for one person", async () => {
    const before = { registry: registry.requests(), drp: drp.requests(), dmt: dmt.requests() };
    const { status, body } = await post(gateway, { query: doneWhen });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        person: {
          fullName: "Chikondi Emmanuel Mulenga",
          dateOfBirth: "1990-07-22",
          permanentAddress: "Plot 7, Zobwe Avenue, Ilanga",
          profession: "Civil engineer",
          vehicles: [
            { regNo: "FJ-1107-CE", make: "Isuzu", class: { classCode: "C1" } },
            { regNo: "FJ-0093-MC", make: "Honda", class: { classCode: "A" } },
          ],
        },
      },
    });
    expect({ registry: registry.requests() - before.registry, drp: drp.requests() - before.drp, dmt: dmt.requests() - before.dmt }).toEqual({
      registry: 1,
      drp: 1,
      dmt: 1,
    });
  });

  it("calls the DRP and the DMT in parallel, not one after the other", async () => {
    drpLegacy.faults.inject({ latencyMs: 300 });
    dmtLegacy.faults.inject({ latencyMs: 300 });
    const { body } = await post(gateway, { query: doneWhen });
    expect(body.errors).toBeUndefined();
    const [drpCall] = drpLegacy.stats.snapshot().calls;
    const [dmtCall] = dmtLegacy.stats.snapshot().calls;
    // Each upstream call takes at least 300 ms; had the gateway waited for one before starting the other,
    // their intervals could not overlap.
    expect(drpCall?.startedAt).toBeLessThan(dmtCall?.endedAt ?? 0);
    expect(dmtCall?.startedAt).toBeLessThan(drpCall?.endedAt ?? 0);
  });

  it("gives null DRP fields and no error for a person the DRP does not know (Ruth Nomsa Lungu)", async () => {
    const { body } = await post(gateway, {
      query: `{ person(nic: "196806300456") { fullName registeredName otherNames permanentAddress profession vehicles { regNo } } }`,
    });
    expect(body).toEqual({
      data: { person: { fullName: "Ruth Nomsa Lungu", registeredName: null, otherNames: null, permanentAddress: null, profession: null, vehicles: [] } },
    });
  });

  it("batches a page of people: one DRP call, DMT calls in parallel, one fetch per subgraph", async () => {
    const before = { drp: drp.requests(), dmt: dmt.requests() };
    const { body } = await post(gateway, {
      query: `{ people(first: 30) { edges { node { nic fullName permanentAddress vehicles { regNo } } } } }`,
    });
    expect(body.errors).toBeUndefined();
    const edges = (body.data?.["people"] as { edges: { node: { nic: string; permanentAddress: string | null } }[] }).edges;
    expect(edges).toHaveLength(30);
    const expected = new Map(citizens.map((c) => [c.nic, c.drp?.permanentAddress ?? null]));
    for (const { node } of edges) expect(node.permanentAddress).toBe(expected.get(node.nic));
    expect(drpLegacy.stats.snapshot().byOperation).toEqual({ batchLookup: 1 });
    expect(dmtLegacy.stats.snapshot().byOperation).toEqual({ GetVehiclesByOwner: 30 });
    expect(dmtLegacy.stats.snapshot().maxInFlight).toBeLessThanOrEqual(4);
    expect({ drp: drp.requests() - before.drp, dmt: dmt.requests() - before.dmt }).toEqual({ drp: 1, dmt: 1 });
  });

  it("answers vehicle(regNo), NOT_FOUND naming the DMT for an unknown one, BAD_USER_INPUT for a malformed one", async () => {
    const { body } = await post(gateway, {
      query: `{ found: vehicle(regNo: "FJ-7740-TR") { make year } missing: vehicle(regNo: "FJ-0000-ZZ") { make } bad: vehicle(regNo: "FJ<x/>") { make } }`,
    });
    expect(body.data).toEqual({ found: { make: "Massey Ferguson", year: 2008 }, missing: null, bad: null });
    const byPath = Object.fromEntries((body.errors ?? []).map((e) => [String(e.path?.[0]), e.extensions]));
    expect(byPath["missing"]).toMatchObject({ code: "NOT_FOUND", provider: "dmt" });
    expect(byPath["bad"]).toMatchObject({ code: "BAD_USER_INPUT", argument: "regNo" });
  });
});

describe("a provider that fails", () => {
  it("DMT down: vehicles null with UPSTREAM_UNAVAILABLE naming the DMT; registry and DRP data still come back", async () => {
    dmtLegacy.faults.inject({ status: 503 });
    const { status, body } = await post(gateway, { query: doneWhen });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      person: {
        fullName: "Chikondi Emmanuel Mulenga",
        dateOfBirth: "1990-07-22",
        permanentAddress: "Plot 7, Zobwe Avenue, Ilanga",
        profession: "Civil engineer",
        vehicles: null,
      },
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({
      message: "The DMT provider is unavailable",
      path: ["person", "vehicles"],
      extensions: { code: "UPSTREAM_UNAVAILABLE", provider: "dmt" },
    });
    expect(JSON.stringify(body)).not.toMatch(/dmt-app-01|<html>/);
  });

  it("DMT stopped (nothing listening): the same partial answer", async () => {
    const stopped = await startDmtLegacy({ store: createDmtStore([]), credentials, port: 0, logger });
    await stopped.close();
    const a = dmtAdapter(stopped.url);
    const orphan = await serve(a.yoga, a.close);
    const partial = await gatewayFor({ registry: registry.url, drp: drp.url, dmt: orphan.url });
    try {
      const { body } = await post(partial, { query: doneWhen });
      expect(body.data?.["person"]).toMatchObject({ fullName: "Chikondi Emmanuel Mulenga", profession: "Civil engineer", vehicles: null });
      expect(body.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: "UPSTREAM_UNAVAILABLE", provider: "dmt" })]);
    } finally {
      await partial.close();
      await orphan.close();
    }
  });

  it("DRP slow: its fields null with UPSTREAM_TIMEOUT naming the DRP; registry and DMT data still come back", async () => {
    drpLegacy.faults.inject({ latencyMs: legacyTimeoutMs * 10 });
    const { body } = await post(gateway, { query: doneWhen });
    expect(body.data?.["person"]).toMatchObject({
      fullName: "Chikondi Emmanuel Mulenga",
      permanentAddress: null,
      profession: null,
      vehicles: [{ regNo: "FJ-1107-CE" }, { regNo: "FJ-0093-MC" }].map((v) => expect.objectContaining(v)),
    });
    expect(body.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: "UPSTREAM_TIMEOUT", provider: "drp" })]);
  });
});
