import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/index.ts";
import { expectRefusedBeforeExecution, post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";

let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(20);
  gateway = await startGateway(registry.url, {
    limits: { maxDepth: 3, maxAliases: 3, maxTokens: 200, maxDirectives: 3, maxCost: 60, maxBodyBytes: 4096, disableIntrospection: true },
  });
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

const refused = (body: unknown, pattern: RegExp) => expectRefusedBeforeExecution(gateway, registry, body, pattern);

describe("request protection, before any subgraph is called", () => {
  it("allows an ordinary query within every limit", async () => {
    const { body } = await post(gateway, { query: '{ person(nic: "199012345678") { fullName } }' });
    expect(body.data).toEqual({ person: { fullName: "Chikondi Emmanuel Mulenga" } });
  });

  it("refuses a query deeper than the limit", async () => {
    await refused({ query: "{ people { edges { node { fullName } } } }" }, /depth/i);
  });

  it("refuses an alias flood", async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `a${i}: districts`).join(" ");
    await refused({ query: `{ ${aliases} }` }, /alias/i);
  });

  it("refuses too many tokens", async () => {
    const variables = Array.from({ length: 60 }, (_, i) => `$v${i}: String`).join(", ");
    await refused({ query: `query(${variables}) { districts }` }, /token/i);
  });

  it("refuses too many directives", async () => {
    const fields = Array.from({ length: 5 }, () => "fullName @include(if: true)").join(" ");
    await refused({ query: `{ person(nic: "199012345678") { ${fields} } }` }, /directive/i);
  });

  it("refuses a costly query", async () => {
    const fields = Array.from({ length: 40 }, () => "fullName").join(" ");
    await refused({ query: `{ person(nic: "199012345678") { ${fields} } }` }, /cost/i);
  });

  it("refuses introspection when it is off (production)", async () => {
    await refused({ query: "{ __schema { queryType { name } } }" }, /introspection/i);
  });

  it("refuses a batch (a JSON array body): batching is off, so every request is one operation", async () => {
    await refused([{ query: "{ districts }" }, { query: "{ districts }" }], /batching is not supported/i);
  });

  it("refuses an oversized body, declared or streamed, with 413", async () => {
    const before = registry.requests();
    const big = JSON.stringify({ query: `{ districts }`, variables: { pad: "x".repeat(5000) } });
    const declared = await post(gateway, big);
    expect(declared.status).toBe(413);
    expect(declared.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    const streamed = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(registry.requests()).toBe(before);
    // A body under the limit without a declared length is read and answered (it was refused as invalid JSON once).
    const small = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ query: `{ districts }` })));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(small.status).toBe(200);
    expect(((await small.json()) as { data?: unknown }).data).toBeDefined();
  });

  it("refuses a cross-site simple request (CSRF) that a browser could send without preflight", async () => {
    const before = registry.requests();
    const response = await gateway.yoga.fetch(
      `http://gateway.test/graphql?query=${encodeURIComponent('{ person(nic: "199012345678") { fullName } }')}`,
      { method: "GET", headers: { accept: "application/json" } },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/CSRF/);
    expect(registry.requests()).toBe(before);
  });
});
