/** The in-memory store of oidc-provider's short-lived models: expiry, the uid, user-code and grant indexes, sweeping. */
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/memoryStore.ts";

describe("memory store", () => {
  it("returns nothing once expired, and forgets expired entries when it sweeps", async () => {
    let clock = 1_000_000;
    const store = createMemoryStore(() => clock);
    const codes = store("AuthorizationCode");
    await codes.upsert("c1", { jti: "c1" }, 60);
    expect(await codes.find("c1")).toEqual({ jti: "c1" });
    clock += 61_000;
    expect(await codes.find("c1")).toBeUndefined();
    await codes.upsert("c2", { jti: "c2" }, 60);
    // The sweep ran (a minute passed): c1 is gone, not only hidden.
    clock -= 61_000;
    expect(await codes.find("c1")).toBeUndefined();
  });

  it("finds sessions by uid and device codes by user code, each only in its own model", async () => {
    const store = createMemoryStore();
    await store("Session").upsert("s1", { uid: "u1", accountId: "a" }, 100);
    await store("Interaction").upsert("u1", { uid: "u1" }, 100);
    expect(await store("Session").findByUid("u1")).toMatchObject({ accountId: "a" });
    await store("DeviceCode").upsert("d1", { userCode: "ABCD" }, 100);
    expect(await store("DeviceCode").findByUserCode("ABCD")).toEqual({ userCode: "ABCD" });
    expect(await store("Session").findByUserCode("ABCD")).toBeUndefined();
    await store("Session").destroy("s1");
    expect(await store("Session").findByUid("u1")).toBeUndefined();
  });

  it("revokes everything issued under a grant, of every model, and marks consumption", async () => {
    const store = createMemoryStore();
    await store("AuthorizationCode").upsert("c", { grantId: "g" }, 100);
    await store("RefreshToken").upsert("r", { grantId: "g" }, 100);
    await store("RefreshToken").upsert("other", { grantId: "h" }, 100);
    await store("AuthorizationCode").consume("c");
    expect((await store("AuthorizationCode").find("c"))?.consumed).toEqual(expect.any(Number));
    await store("Grant").revokeByGrantId("g");
    expect(await store("AuthorizationCode").find("c")).toBeUndefined();
    expect(await store("RefreshToken").find("r")).toBeUndefined();
    expect(await store("RefreshToken").find("other")).toEqual({ grantId: "h" });
  });
});
