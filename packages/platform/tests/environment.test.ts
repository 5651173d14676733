/** NDX_ENV and NODE_ENV (issue 14 item 8): operators set NODE_ENV=production, and that alone must mean production. */
import { describe, expect, it } from "vitest";
import { ConfigError, environmentSetting, loadConfig } from "../src/config.ts";

const spec = { NDX_ENV: environmentSetting() };
const environment = (env: Record<string, string>) => loadConfig(spec, env).NDX_ENV;

describe("the environment: NDX_ENV, and NODE_ENV", () => {
  it("is development with neither set, and NDX_ENV when only it is set", () => {
    expect(environment({})).toBe("development");
    expect(environment({ NDX_ENV: "test" })).toBe("test");
    expect(environment({ NDX_ENV: "production" })).toBe("production");
  });

  it("is production with NODE_ENV=production and NDX_ENV unset (or empty)", () => {
    expect(environment({ NODE_ENV: "production" })).toBe("production");
    expect(environment({ NODE_ENV: "production", NDX_ENV: "" })).toBe("production");
    expect(environment({ NODE_ENV: "production", NDX_ENV: "production" })).toBe("production");
  });

  it("refuses to start when the two disagree, naming both", () => {
    for (const [ndx, node] of [["development", "production"], ["test", "production"], ["production", "development"]]) {
      let caught: unknown;
      try {
        environment({ NDX_ENV: ndx ?? "", NODE_ENV: node ?? "" });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).message).toMatch(new RegExp(`NDX_ENV.*${ndx}.*NODE_ENV=${node}`, "s"));
    }
  });

  it("leaves other NODE_ENV values (a test runner's NODE_ENV=test) to NDX_ENV", () => {
    expect(environment({ NODE_ENV: "test" })).toBe("development");
    expect(environment({ NODE_ENV: "test", NDX_ENV: "production" })).toBe("production");
    expect(environment({ NODE_ENV: "development" })).toBe("development");
  });
});
