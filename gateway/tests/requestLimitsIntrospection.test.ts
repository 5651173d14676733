/**
 * Introspection is limited too where it is on (issue 14 item 11): in development, graphql-armor's depth and cost
 * limits leave `__schema` out, so 40 levels of `ofType` and 15 aliased copies of the whole schema (396 KB) answered
 * without a token. GraphiQL's own introspection query still answers.
 */
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/index.ts";
import { post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";

let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  gateway = await startGateway(registry.url); // the defaults: introspection on, as in development
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

const nested = (levels: number, inner: string) => "ofType { ".repeat(levels) + inner + " }".repeat(levels);

async function refused(query: string, pattern: RegExp) {
  const { status, body } = await post(gateway, { query });
  expect(status).toBe(400);
  expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  expect(body.errors?.map((e) => e.message).join("\n")).toMatch(pattern);
  expect(body.data).toBeUndefined();
}

describe("introspection limits (introspection on)", () => {
  it("answers GraphiQL's full introspection query", async () => {
    const { status, body } = await post(gateway, { query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect((body.data?.["__schema"] as { types: unknown[] }).types.length).toBeGreaterThan(10);
  });

  it("refuses 40 levels of ofType", async () => {
    await refused(`{ __schema { types { ${nested(40, "name")} } } }`, /ofType.*deeper than 9/);
  });

  it("refuses ofType nested through a chain of fragments", async () => {
    const query = `{ __schema { types { ...A } } }
      fragment A on __Type { ${nested(5, "...B")} }
      fragment B on __Type { ${nested(5, "name")} }`;
    await refused(query, /ofType.*deeper than 9/);
  });

  it("refuses 15 aliased copies of __schema", async () => {
    const copies = Array.from({ length: 15 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(" ");
    await refused(`{ ${copies} }`, /__schema only once/);
  });

  it("refuses lists of fields nested in introspection (graphql-js MaxIntrospectionDepthRule, in its specifiedRules)", async () => {
    await refused("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }", /introspection/i);
  });

  it("counts introspection's aliases against the alias limit", async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `t${i}: __type(name: "Person") { name }`).join(" ");
    await refused(`{ ${aliases} }`, /alias/i);
  });
});
