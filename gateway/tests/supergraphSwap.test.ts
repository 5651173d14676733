/**
 * The gateway follows the schema registry's active supergraph at the real exchange subgraph (PGlite, seeded) over real
 * HTTP and swaps without a restart: an activation is served within 5 s (a new field in the schema, the response's
 * x-ndx-schema, GET /schema/versions), a rollback takes it away again, and a request validated against the old schema
 * that reaches execution after the swap is answered CONFLICT, never planned against a schema it was not decided on.
 */
import { randomBytes } from "node:crypto";
import { createExchange, migrationsDir as exchangeMigrations, type ExchangeServer } from "@ndx/exchange";
import { listen, migrate, openDb, readMigrations, type Db, type ForwardedCaller, type Listening } from "@ndx/platform";
import { readSupergraph, subgraphSdl } from "@ndx/schema";
import type { Plugin } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../src/gateway.ts";
import { createSupergraphFollower, type SupergraphFollower } from "../src/supergraphFollower.ts";
import { createSupergraphSnapshots, supergraphHash } from "../src/supergraphSnapshots.ts";
import { assertions, gatewayTrust, logger, startRegistry, type RunningRegistry } from "./harness.ts";

const serviceToken = "test-exchange-service-token-swap";
const admin: ForwardedCaller = { kind: "staff", id: "exchange.admin", roles: ["exchange_admin"], traceId: undefined };
const withField = subgraphSdl("drp").replace(
  '  "Profession as registered with the DRP."',
  '  "Date the DRP first registered the person."\n  registeredOn: String @classified(as: "PERSONAL")\n  "Profession as registered with the DRP."',
);

let exchangeDb: Db;
let exchange: ExchangeServer;
let exchangeHttp: Listening;
let registry: RunningRegistry;
let follower: SupergraphFollower;
let gateway: Gateway;
/** A second replica with a follower of its own. */
let replica: Gateway;
let replicaFollower: SupergraphFollower;
/** While set, a request waits before execution until it resolves (to swap the schema under it). */
let hold: Promise<void> | undefined;
let held: (() => void) | undefined;

const holdBeforeExecution: Plugin = {
  async onExecute() {
    if (hold !== undefined) {
      held?.();
      await hold;
    }
  },
};

async function exchangeGql(query: string, variables: Record<string, unknown>) {
  const response = await exchange.yoga.fetch("http://exchange.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await assertions.sign("exchange", admin)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { id: string; status: string }>; errors?: unknown[] };
}

async function gatewayFetch(body: unknown) {
  const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { response, body: (await response.json()) as { data?: { __type?: { fields: { name: string }[] } }; errors?: { extensions?: { code?: string } }[] } };
}

const personFields = async () => ((await gatewayFetch({ query: "{ __type(name: \"Person\") { fields { name } } }" })).body.data?.__type?.fields ?? []).map((f) => f.name);

async function within(ms: number, condition: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

beforeAll(async () => {
  exchangeDb = await openDb({ schema: "exchange" });
  await migrate(exchangeDb, readMigrations(exchangeMigrations), "ndx:exchange");
  const refuse = () => Promise.reject(new Error("no identity provider in this test"));
  exchange = await createExchange({
    db: exchangeDb,
    logger,
    registrar: { register: refuse, rotateSecret: refuse, remove: refuse, tokenEndpoint: "http://idp.test/token" },
    secretKey: randomBytes(32),
    serviceToken,
    development: true,
    gatewayTrust,
    coverage: { activeConsents: async () => 0 },
  });
  exchangeHttp = await listen((req, res) => void exchange.yoga(req, res), 0);
  registry = await startRegistry(0);
  follower = createSupergraphFollower({ url: exchangeHttp.url, serviceToken, logger, intervalMs: 200 });
  const active = await follower.poll();
  const snapshots = createSupergraphSnapshots();
  gateway = await createGateway({
    supergraphSdl: active?.sdl ?? "",
    subgraphUrls: { registry: registry.url, exchange: `${exchangeHttp.url}/graphql` },
    assertions,
    logger,
    snapshots,
    plugins: [holdBeforeExecution],
    supergraphUpdates: { subscribe: (listener) => follower.subscribe((s) => listener(s.sdl)) },
    served: () => ({ hash: follower.current?.hash ?? "", position: follower.current?.position ?? 0, versions: follower.current?.versions ?? {}, activatedAt: null, source: "registry" }),
  });
  replicaFollower = createSupergraphFollower({ url: exchangeHttp.url, serviceToken, logger });
  replica = await createGateway({
    supergraphSdl: (await replicaFollower.poll())?.sdl ?? "",
    subgraphUrls: { registry: registry.url, exchange: `${exchangeHttp.url}/graphql` },
    assertions,
    logger,
    supergraphUpdates: { subscribe: (listener) => replicaFollower.subscribe((s) => listener(s.sdl)) },
  });
});

const replicaPersonFields = async () => {
  const response = await replica.yoga.fetch("http://replica.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: '{ __type(name: "Person") { fields { name } } }' }),
  });
  return ((await response.json()) as { data: { __type: { fields: { name: string }[] } } }).data.__type.fields.map((f) => f.name);
};

afterAll(async () => {
  replicaFollower?.close();
  await replica?.close();
  follower?.close();
  await gateway?.close();
  await exchange?.close();
  await exchangeHttp?.close();
  await exchangeDb?.close();
  await registry?.close();
});

describe("the gateway's supergraph, followed from the schema registry", () => {
  it("starts on the registry's seed, which is the checked-in supergraph", async () => {
    expect(follower.current?.hash).toBe(supergraphHash(readSupergraph()));
    const { response } = await gatewayFetch({ query: "{ __typename }" });
    expect(response.headers.get("x-ndx-schema")).toBe(supergraphHash(readSupergraph()));
    const versions = (await (await gateway.yoga.fetch("http://gateway.test/schema/versions")).json()) as { position: number; versions: Record<string, number> };
    expect(versions).toMatchObject({ position: 1, versions: { drp: 1, registry: 1, dmt: 1, exchange: 1 } });
    expect(await personFields()).not.toContain("registeredOn");
  });

  it("serves an activated version within 5 s without a restart, and a rollback takes it away", async () => {
    const published = await exchangeGql(`mutation($sdl: String!) { publishSchemaVersion(subgraph: "drp", sdl: $sdl) { id status } }`, { sdl: withField });
    expect(published.data?.["publishSchemaVersion"]).toEqual({ id: "drp@2", status: "PUBLISHED" });
    const activated = await exchangeGql(`mutation { activateSchemaVersion(id: "drp@2") { id status } }`, {});
    expect(activated.data?.["activateSchemaVersion"]?.status).toBe("ACTIVE");
    expect(await within(5000, async () => (await personFields()).includes("registeredOn"))).toBeLessThan(5000);
    // Every replica, each with its own follower at the default period (1 s).
    expect(await within(5000, async () => (await replicaPersonFields()).includes("registeredOn"))).toBeLessThan(5000);
    const { response } = await gatewayFetch({ query: "{ __typename }" });
    expect(response.headers.get("x-ndx-schema")).toBe(follower.current?.hash);
    expect(follower.current?.hash).not.toBe(supergraphHash(readSupergraph()));
    const versions = (await (await gateway.yoga.fetch("http://gateway.test/schema/versions")).json()) as { versions: Record<string, number> };
    expect(versions.versions).toMatchObject({ drp: 2 });

    await exchangeGql(`mutation { rollbackSchema(subgraph: "drp", number: 1) { id status } }`, {});
    await within(5000, async () => !(await personFields()).includes("registeredOn"));
    await within(5000, async () => !(await replicaPersonFields()).includes("registeredOn"));
    expect(follower.current?.hash).toBe(supergraphHash(readSupergraph()));
  });

  it("answers CONFLICT to a request validated against a schema swapped away before it executed", async () => {
    let release = () => undefined as void;
    hold = new Promise<void>((r) => (release = r));
    const waiting = new Promise<void>((r) => (held = r));
    const pending = gatewayFetch({ query: "{ __typename }" });
    await waiting;
    await exchangeGql(`mutation { activateSchemaVersion(id: "drp@2") { id } }`, {});
    const before = follower.current?.hash;
    await within(5000, async () => (await follower.poll())?.hash !== before);
    hold = undefined;
    release();
    const { body } = await pending;
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["CONFLICT"]);
    // The next one runs on the new schema.
    expect((await gatewayFetch({ query: "{ __typename }" })).body.errors).toBeUndefined();
  });
});
