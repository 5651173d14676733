/**
 * A third agency onboarded the way adapters/README.md says, with nothing copied from the DRP or DMT adapters: a tiny
 * SDL, a mapping, a client, a context and resolvers given to `defineLegacyAdapter`, over a real HTTP upstream on a
 * free port, called over real HTTP with the gateway's caller assertion.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, createLogger, listen, type Listening } from "@ndx/platform";
import { createTestGateway } from "@ndx/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defineLegacyAdapter, parseJsonAnswer, parseNic, statusError, type LegacyAdapter, type LegacyClientParts, type Mapper } from "../src/index.ts";

// 1. The subgraph's SDL (in a real agency: schema/subgraphs/nhis.graphql, passed as subgraphSdl("nhis")).
const sdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Person @key(fields: "nic") {
  nic: String!
  bloodGroup: String
}`;

// 2. The mapping (in a real agency: src/mapping.json).
const mapping = {
  provider: "nhis",
  schemaId: "nhis-v1",
  types: { Person: { key: ["nic"], fields: { bloodGroup: { providerField: "blood.group" } } } },
};

// 3. The client: one function per upstream call, each through upstream.call.
interface NhisOptions {
  readonly token: string;
}
type NhisRecord = Record<string, unknown>;
const nhisClient = ({ http, upstream, options }: LegacyClientParts<NhisOptions>) => ({
  personOf: (nic: string) =>
    upstream.call(
      "getPerson",
      async (signal): Promise<NhisRecord | null> => {
        const answer = await http.request({ method: "GET", path: `/people/${nic}`, headers: { "x-token": options.token }, signal });
        const failure = statusError(upstream.provider, answer, "getPerson");
        if (failure?.kind === "not_found") return null;
        if (failure !== undefined) throw failure;
        return parseJsonAnswer(upstream.provider, answer, "getPerson") as NhisRecord;
      },
      { idempotent: true },
    ),
});

// 4. The per-request context and 5. the resolvers.
interface NhisContext {
  readonly client: ReturnType<typeof nhisClient>;
  readonly mapper: Mapper;
}
const nhisAdapter = defineLegacyAdapter({
  name: "nhis",
  service: "nhis-rest",
  sdl,
  mapping,
  connections: 2,
  readinessPath: "health",
  client: nhisClient,
  context: (client, mapper): NhisContext => ({ client, mapper }),
  resolvers: {
    Person: {
      async __resolveReference(ref: { nic: unknown }, ctx: NhisContext) {
        const nic = parseNic(ref.nic);
        const record = await ctx.client.personOf(nic);
        return { nic, ...(record === null ? ctx.mapper.nulls("Person") : ctx.mapper.map("Person", record)) };
      },
    },
  },
  // 6. Its settings: the kit's under NHIS_LEGACY_*, its one secret.
  config: {
    prefix: "NHIS_LEGACY",
    port: 4009,
    url: "http://localhost:9099",
    developmentSecrets: { NHIS_LEGACY_TOKEN: "dev-nhis-token" },
    options: (config) => ({ token: config.NHIS_LEGACY_TOKEN }),
  },
});

const token = "nhis-test-token";
const known = "199012345678";
const upstreamBody = "stack trace at /srv/nhis/db.ts with secret-row-7";
let failing = false;
let calls = 0;
const nhis: Server = createServer((request, response) => {
  if (request.url === "/health") return void response.end("ok");
  calls++;
  if (failing) return void response.writeHead(500, { "content-type": "text/plain" }).end(upstreamBody);
  if (request.headers["x-token"] !== token) return void response.writeHead(401).end();
  if (request.url !== `/people/${known}`) return void response.writeHead(404).end();
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ nic: known, blood: { group: "AB+" } }));
});
let nhisUrl: string;
const gateway = createTestGateway();
let adapter: LegacyAdapter<NhisContext>;
let http: Listening;

beforeAll(async () => {
  await new Promise<void>((done) => nhis.listen(0, "127.0.0.1", done));
  nhisUrl = `http://127.0.0.1:${(nhis.address() as AddressInfo).port}`;
  adapter = nhisAdapter.create({ baseUrl: nhisUrl, token, retries: 0, gatewayTrust: gateway.trust, logger: createLogger("nhis-rest", "silent") });
  http = await listen(adapter.yoga, 0);
});
afterAll(async () => {
  await http?.close();
  await adapter?.close();
  await new Promise((done) => nhis.close(done));
});
afterEach(() => {
  failing = false;
});

const consumer = { kind: "consumer", id: "clinic-app", roles: [], traceId: undefined } as const;

async function bloodGroups(nics: readonly string[], headers: Record<string, string>) {
  const response = await fetch(`${http.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { nic bloodGroup } } }`,
      variables: { r: nics.map((nic) => ({ __typename: "Person", nic })) },
    }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe("a third adapter made with defineLegacyAdapter alone", () => {
  it("answers the gateway's _entities call from its upstream, mapped; a person the agency does not know has null fields", async () => {
    const { status, body } = await bloodGroups([known, "200001010001"], await gateway.headers("nhis", consumer));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { _entities: [{ nic: known, bloodGroup: "AB+" }, { nic: "200001010001", bloodGroup: null }] } });
  });

  it("answers only the gateway: no assertion, or one for another subgraph, is 401 and never reaches the upstream", async () => {
    const before = calls;
    expect((await bloodGroups([known], {})).status).toBe(401);
    expect((await bloodGroups([known], await gateway.headers("drp", consumer))).status).toBe(401);
    expect(calls).toBe(before);
    expect((await fetch(`${http.url}/health`)).status).toBe(200);
  });

  it("is ready while its upstream's readiness path answers, and names its failures by provider without the upstream's body", async () => {
    expect(await (await fetch(`${http.url}/ready`)).json()).toEqual({ status: "ready", checks: { nhis: "ok" } });
    failing = true;
    const { body } = await bloodGroups([known], await gateway.headers("nhis", consumer));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "nhis" });
    expect(JSON.stringify(body)).not.toContain("secret-row-7");
  });

  it("reads its settings under its own prefix, and demands real secrets outside development", () => {
    expect(nhisAdapter.loadConfig({ NHIS_LEGACY_URL: "http://nhis.example:8080", NHIS_LEGACY_RETRIES: "1" })).toMatchObject({
      PORT: 4009,
      NHIS_LEGACY_TOKEN: "dev-nhis-token",
      upstream: { url: "http://nhis.example:8080", retries: 1, timeoutMs: 2000, connections: 2 },
    });
    let problems: readonly string[] = [];
    try {
      nhisAdapter.loadConfig({ NDX_ENV: "production", NHIS_LEGACY_TIMEOUT_MS: "fast" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    // Every problem at once.
    expect(problems.map((p) => p.split(/[=:]/)[0])).toEqual(["NHIS_LEGACY_TIMEOUT_MS", "GATEWAY_JWKS_URL", "NHIS_LEGACY_TOKEN"]);
  });
});
