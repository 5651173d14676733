/** EXCHANGE_URL and EXCHANGE_SERVICE_TOKEN: the register the policy follows, and the exchange subgraph's route. */
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/index.ts";

describe("the exchange's configuration", () => {
  it("routes the exchange subgraph to EXCHANGE_URL/graphql and takes the register's token", () => {
    const config = loadGatewayConfig({ EXCHANGE_URL: "http://exchange.test:4004/", EXCHANGE_SERVICE_TOKEN: "t".repeat(32) });
    expect(config.EXCHANGE_URL).toBe("http://exchange.test:4004/");
    expect(config.subgraphUrls["exchange"]).toBe("http://exchange.test:4004/graphql");
    expect(config.EXCHANGE_SERVICE_TOKEN).toBe("t".repeat(32));
  });

  it("in development, without it, follows nothing (the fixture seed's register) with the development token", () => {
    const config = loadGatewayConfig({});
    expect(config.EXCHANGE_URL).toBeUndefined();
    expect(config.subgraphUrls["exchange"]).toBeUndefined();
    expect(config.EXCHANGE_SERVICE_TOKEN).toBe("dev-exchange-service-token");
  });

  it("requires both outside development, unless the access plugin is off", () => {
    const production = { NDX_ENV: "production", CONSENT_SERVICE_TOKEN: "c".repeat(32), AUDIT_READ_TOKEN: "a".repeat(32) };
    expect(() => loadGatewayConfig(production)).toThrow(/EXCHANGE_URL: must be set when NDX_ENV=production/);
    expect(() => loadGatewayConfig(production)).toThrow(/EXCHANGE_SERVICE_TOKEN: must be set to a real secret/);
    expect(() => loadGatewayConfig({ ...production, EXCHANGE_SERVICE_TOKEN: "e".repeat(32), ACCESS_CONTROL: "false" })).not.toThrow(/EXCHANGE_URL/);
  });
});
