/**
 * The GraphQL-over-HTTP conformance audit (graphql-http's serverAudits) against the whole gateway — access plugin,
 * request limits, CSRF prevention and all — with a real consumer token from the identity provider. Every audit,
 * MUST and SHOULD alike, must pass.
 */
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System } from "./system.ts";

let system: System;
let token: string;
beforeAll(async () => {
  system = await startSystem();
  token = await system.token("passport-app");
});
afterAll(async () => system?.close());

/** fetch into the gateway's yoga, as the consumer: its bearer token on every request. */
function asConsumer(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return Promise.resolve(system.gateway.yoga.fetch(String(input instanceof Request ? input.url : input), { ...init, headers }));
}

const audits = serverAudits({ url: "http://gateway.test/graphql", fetchFn: asConsumer });

describe("graphql-http server audit, with a valid consumer token", () => {
  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      expect(result.status === "ok" ? "ok" : `${result.status}: ${result.reason}`).toBe("ok");
    });
  }
});
