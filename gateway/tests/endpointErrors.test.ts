/**
 * An endpoint the gateway serves beside GraphQL (a plugin's onRequest: the audit API, the reports, the evidence) that
 * fails unexpectedly — its database gone, an input nobody thought of — is answered 500 INTERNAL_SERVER_ERROR with
 * nothing of the error; the server adapter underneath would have sent the error's stack as the body.
 */
import { readSupergraph } from "@ndx/schema";
import type { Plugin } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../src/index.ts";
import { assertions, logger, startRegistry, type RunningRegistry } from "./harness.ts";

const secret = "password authentication failed for user ndx at postgres://ndx:hunter2@db.internal:5432 (/srv/gateway/src/audit/auditQuery.ts:41)";
const failing: Plugin = {
  onRequest({ request }) {
    const { pathname } = new URL(request.url);
    if (pathname === "/reports/throws") throw new Error(secret);
    if (pathname === "/reports/rejects") return Promise.reject(new Error(secret));
    return undefined;
  },
};

let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  gateway = await createGateway({ supergraphSdl: readSupergraph(), subgraphUrls: { registry: registry.url }, assertions, logger, plugins: [failing] });
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

describe("an endpoint beside GraphQL that fails", () => {
  it("is answered 500 INTERNAL_SERVER_ERROR without the error's message or stack, whether it threw or rejected", async () => {
    for (const path of ["/reports/throws", "/reports/rejects"]) {
      const response = await gateway.yoga.fetch(`http://gateway.test${path}`);
      const body = await response.text();
      expect({ path, status: response.status, body: JSON.parse(body) as unknown }).toEqual({
        path,
        status: 500,
        body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } },
      });
      expect(body).not.toMatch(/hunter2|postgres|srv|auditQuery|at /);
    }
  });

  it("leaves GraphQL and the other endpoints answering", async () => {
    const answer = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ districts }" }),
    });
    expect(answer.status).toBe(200);
    expect((await gateway.yoga.fetch("http://gateway.test/health")).status).toBe(200);
  });
});
