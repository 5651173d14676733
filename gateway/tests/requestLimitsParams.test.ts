/**
 * The request's parameters of the wrong type (issue 14 item 9): a client's mistake is a 400 BAD_USER_INPUT, never a
 * 500 with an ERROR log and a stack each time (log flooding). Metrics on, as in the running gateway.
 */
import { createLogger } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../src/index.ts";
import { post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";

const logger = createLogger("test", "silent");
let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  gateway = await startGateway(registry.url, { logger, metrics: true });
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

describe("parameters of the wrong type", () => {
  const wrong: [string, unknown][] = [
    ["operationName", 123],
    ["operationName", {}],
    ["operationName", []],
    ["operationName", true],
    ["variables", "x"],
    ["variables", 1],
    ["variables", []],
    ["extensions", "x"],
    ["extensions", []],
    ["query", 42],
  ];
  for (const [param, value] of wrong) {
    it(`${param}: ${JSON.stringify(value)} is 400 BAD_USER_INPUT, logged as no error`, async () => {
      const errors = vi.spyOn(logger, "error");
      const before = registry.requests();
      const { status, body } = await post(gateway, { query: "{ districts }", [param]: value });
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toContain(param);
      expect(errors).not.toHaveBeenCalled();
      expect(registry.requests()).toBe(before);
      errors.mockRestore();
    });
  }

  it("still answers a string operationName, and null parameters", async () => {
    const named = await post(gateway, { query: "query D { districts }", operationName: "D", variables: null, extensions: null });
    expect(named.status).toBe(200);
    expect(named.body.data?.["districts"]).toBeInstanceOf(Array);
  });
});
