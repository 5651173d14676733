import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, parseSecretKey } from "../src/index.ts";
import { developmentSecretKey, loadExchangeConfig } from "../src/config.ts";

describe("the secret box (AES-256-GCM)", () => {
  const box = createSecretBox(randomBytes(32));

  it("opens what it sealed for the same row only", () => {
    const sealed = box.seal("registration-token", "app-1");
    expect(sealed).not.toContain("registration-token");
    expect(box.open(sealed, "app-1")).toBe("registration-token");
    expect(() => box.open(sealed, "app-2")).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, "app-1")).toThrow();
    const [v, iv, tag, body = ""] = sealed.split(".");
    const flipped = Buffer.from(body, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString("base64")].join("."), "app-1")).toThrow();
  });

  it("takes exactly 32 bytes of key, and names the setting, not the value, when it is wrong", () => {
    expect(parseSecretKey(developmentSecretKey)).toHaveLength(32);
    expect(() => parseSecretKey("c2hvcnQ=")).toThrow(/EXCHANGE_SECRET_KEY must be 32 random bytes/);
    expect(() => parseSecretKey("c2hvcnQ=")).not.toThrow(/c2hvcnQ/);
  });

  it("has a development key only in development", () => {
    expect(loadExchangeConfig({}).secretKey).toHaveLength(32);
    expect(() => loadExchangeConfig({ NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json" })).toThrow(
      /EXCHANGE_SECRET_KEY[\s\S]*EXCHANGE_SERVICE_TOKEN|EXCHANGE_SERVICE_TOKEN[\s\S]*EXCHANGE_SECRET_KEY/,
    );
  });
});
