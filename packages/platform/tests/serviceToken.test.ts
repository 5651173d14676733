import { describe, expect, it } from "vitest";
import { serviceTokenCheck } from "../src/index.ts";

describe("serviceTokenCheck", () => {
  it("accepts the token as a bearer token, case-insensitive scheme, and nothing else", () => {
    const holds = serviceTokenCheck("s3cret-token");
    const asking = (authorization?: string) => new Request("http://part.test/x", authorization === undefined ? {} : { headers: { authorization } });
    expect([holds(asking("Bearer s3cret-token")), holds(asking("bearer s3cret-token"))]).toEqual([true, true]);
    for (const wrong of [undefined, "", "Bearer", "Bearer s3cret-tokeN", "Bearer s3cret-token2", "Basic s3cret-token", "Bearer s3cret-token extra", "s3cret-token"]) {
      expect(holds(asking(wrong)), String(wrong)).toBe(false);
    }
  });
});
