import { describe, expect, it } from "vitest";
import { bearerRequired, endpointError, errorCodes, methodNotAllowed } from "../src/index.ts";

describe("endpointError", () => {
  it("answers every documented code as {error: {code, message}} with the code's status, never cached", async () => {
    for (const code of Object.keys(errorCodes) as (keyof typeof errorCodes)[]) {
      const response = endpointError(code, `about ${code}`);
      expect({ code, status: response.status, cache: response.headers.get("cache-control"), type: response.headers.get("content-type") }).toEqual({
        code,
        status: errorCodes[code],
        cache: "no-store",
        type: expect.stringMatching(/^application\/json/),
      });
      expect(await response.json()).toEqual({ error: { code, message: `about ${code}` } });
    }
  });

  it("takes another status and headers where the answer needs them, and keeps no-store", async () => {
    const limited = endpointError("RATE_LIMITED", "slow down", { headers: { "retry-after": "3", "cache-control": "no-store" } });
    expect([limited.status, limited.headers.get("retry-after"), limited.headers.get("cache-control")]).toEqual([429, "3", "no-store"]);
    const method = methodNotAllowed("POST");
    expect([method.status, method.headers.get("allow")]).toEqual([405, "POST"]);
    expect(await method.json()).toEqual({ error: { code: "BAD_USER_INPUT", message: "Only POST is allowed here" } });
    const bearer = bearerRequired("the feed needs a token");
    expect([bearer.status, bearer.headers.get("www-authenticate")]).toEqual([401, "Bearer"]);
    expect(await bearer.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: "the feed needs a token" } });
  });
});
