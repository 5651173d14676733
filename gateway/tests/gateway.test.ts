import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "@ndx/platform";
import { post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";
import type { Gateway } from "../src/index.ts";

let registry: RunningRegistry;
let gateway: Gateway;

beforeAll(async () => {
  registry = await startRegistry();
  gateway = await startGateway(registry.url);
});

afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

const personQuery = `query Person($nic: String!) { person(nic: $nic) { nic fullName dateOfBirth district birthPlace sex birthRegistrationNumber } }`;

describe("reads through the gateway", () => {
  it("returns a canonical citizen's registry record from the registry subgraph", async () => {
    const before = registry.requests();
    const { status, body } = await post(gateway, { query: personQuery, variables: { nic: "199012345678" } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      person: {
        nic: "199012345678",
        fullName: "Chikondi Emmanuel Mulenga",
        dateOfBirth: "1990-07-22",
        district: "Ilanga",
        birthPlace: "Ilanga Central Clinic",
        sex: "male",
        birthRegistrationNumber: "BRN-IL-1990-003391",
      },
    });
    expect(registry.requests()).toBe(before + 1);
  });

  it("answers null, with no error, for a NIC the registry does not know", async () => {
    const { status, body } = await post(gateway, { query: personQuery, variables: { nic: "000000000000" } });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { person: null } });
  });

  it("pages through people with a filter", async () => {
    const query = `query($after: String) { people(filter: { district: "Ibombo" }, first: 5, after: $after) {
      totalCount edges { node { nic district } } pageInfo { hasNextPage endCursor } } }`;
    const first = await post(gateway, { query });
    const page1 = first.body.data?.["people"] as {
      totalCount: number;
      edges: { node: { nic: string; district: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page1.edges).toHaveLength(5);
    expect(page1.totalCount).toBeGreaterThan(5);
    expect(page1.edges.every((e) => e.node.district === "Ibombo")).toBe(true);
    const second = await post(gateway, { query, variables: { after: page1.pageInfo.endCursor } });
    const page2 = second.body.data?.["people"] as typeof page1;
    expect(page2.edges[0]?.node.nic.localeCompare(page1.edges[4]?.node.nic ?? "")).toBe(1);
  });
});

describe("bad input", () => {
  it("refuses a malformed query with BAD_USER_INPUT and calls no subgraph", async () => {
    const before = registry.requests();
    const { status, body } = await post(gateway, { query: "{ person(nic: " });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/Syntax Error/);
    expect(registry.requests()).toBe(before);
  });

  it("refuses a query for a field that does not exist, before any subgraph call", async () => {
    const before = registry.requests();
    const { status, body } = await post(gateway, { query: '{ person(nic: "199012345678") { salary } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/salary/);
    expect(registry.requests()).toBe(before);
  });

  it("refuses a variable of the wrong type", async () => {
    const { status, body } = await post(gateway, { query: personQuery, variables: { nic: 199012345678 } });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  });

  it("refuses a body that is not JSON", async () => {
    const { status } = await post(gateway, "{not json");
    expect(status).toBe(400);
  });

  it.each([
    ['{ person(nic: "12345") { fullName } }', "nic", /12-digit/],
    ['{ people(first: 101) { totalCount } }', "first", /between 1 and 100/],
    ['{ people(first: 0) { totalCount } }', "first", /between 1 and 100/],
    ['{ people(filter: { district: "Atlantis" }) { totalCount } }', "filter.district", /Unknown district "Atlantis"/],
    ['{ people(filter: { bornFrom: "1990-02-30" }) { totalCount } }', "filter.bornFrom", /YYYY-MM-DD/],
    ['{ people(after: "bm90LWEtY3Vyc29y") { totalCount } }', "after", /cursor/],
  ])("%s is BAD_USER_INPUT naming the argument", async (query, argument, message) => {
    const { body } = await post(gateway, { query });
    const error = body.errors?.[0];
    expect(error?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(error?.extensions?.["argument"]).toBe(argument);
    expect(error?.message).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(/stack|SELECT|pglite|at .*\.ts/i);
  });
});

describe("health", () => {
  it("is alive at /health and ready at /ready while the registry answers", async () => {
    const health = await gateway.yoga.fetch("http://gateway.test/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await gateway.yoga.fetch("http://gateway.test/ready");
    const report = (await ready.json()) as { checks: Record<string, string> };
    expect(report.checks["subgraph:registry"]).toBe("ok");
  });
});

describe("a provider that fails", () => {
  it("is UPSTREAM_UNAVAILABLE naming it when it cannot be reached, and not ready", async () => {
    const down = await startGateway("http://127.0.0.1:9/graphql");
    try {
      const { body } = await post(down, { query: personQuery, variables: { nic: "199012345678" } });
      expect(body.data).toEqual({ person: null });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "registry" });
      expect(body.errors?.[0]?.message).not.toMatch(/ECONNREFUSED|fetch failed/);
      expect((await down.yoga.fetch("http://gateway.test/ready")).status).toBe(503);
    } finally {
      await down.close();
    }
  });

  it("is UPSTREAM_TIMEOUT when it does not answer in time", async () => {
    const silent = await listen(createServer(() => undefined).listeners("request")[0] as never, 0);
    const slow = await startGateway(`${silent.url}/graphql`, { timeoutMs: 200 });
    try {
      const { body } = await post(slow, { query: personQuery, variables: { nic: "199012345678" } });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_TIMEOUT", provider: "registry" });
    } finally {
      await slow.close();
      await silent.close();
    }
  });

  it.each([
    ["an HTTP 500 with a stack trace", 500, "text/plain", "Error: relation \"person\" does not exist\n    at Db.query (/srv/db.ts:10:3)"],
    ["a 200 that is not JSON", 200, "text/html", "<html>Gateway Timeout from proxy secret-host.internal</html>"],
  ])("is UPSTREAM_UNAVAILABLE for %s, without the provider's body", async (_what, status, type, text) => {
    const broken = await listen((_req, res) => {
      res.writeHead(status, { "content-type": type });
      res.end(text);
    }, 0);
    const gw = await startGateway(`${broken.url}/graphql`);
    try {
      const { body } = await post(gw, { query: personQuery, variables: { nic: "199012345678" } });
      expect(body.data).toEqual({ person: null });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "registry" });
      expect(JSON.stringify(body)).not.toMatch(/relation|Db\.query|secret-host|html/);
    } finally {
      await gw.close();
      await broken.close();
    }
  });
});

describe("subgraphs trust only the gateway", () => {
  it("refuses a GraphQL request that does not carry the gateway's credential", async () => {
    const direct = await fetch(registry.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ person(nic: "199012345678") { fullName } }' }),
    });
    expect(direct.status).toBe(401);
    expect(JSON.stringify(await direct.json())).not.toContain("Chikondi");
  });
});
