import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, setting } from "../src/config.ts";

const spec = {
  PORT: setting.port(4000),
  DATABASE_URL: setting.optionalUrl(),
  LOG_LEVEL: setting.oneOf(["info", "debug"] as const, "info"),
  MAX: setting.int(100, { min: 1, max: 500 }),
};

describe("loadConfig", () => {
  it("applies typed defaults", () => {
    expect(loadConfig(spec, {})).toEqual({ PORT: 4000, DATABASE_URL: undefined, LOG_LEVEL: "info", MAX: 100 });
  });

  it("parses given values, treating empty as unset", () => {
    const config = loadConfig(spec, { PORT: "5000", DATABASE_URL: "postgres://u@h/db", LOG_LEVEL: "", MAX: "7" });
    expect(config).toEqual({ PORT: 5000, DATABASE_URL: "postgres://u@h/db", LOG_LEVEL: "info", MAX: 7 });
  });

  it("names every bad variable in one error", () => {
    let caught: unknown;
    try {
      loadConfig(spec, { PORT: "eighty", DATABASE_URL: "not a url", LOG_LEVEL: "loud", MAX: "900" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^PORT="eighty": is not an integer/);
    expect(problems[1]).toMatch(/^DATABASE_URL=.*is not a URL/);
    expect(problems[2]).toMatch(/^LOG_LEVEL=.*one of info, debug/);
    expect(problems[3]).toMatch(/^MAX="900": is out of range/);
  });

  it("refuses a missing required value", () => {
    expect(() => loadConfig({ SECRET: setting.string() }, {})).toThrow(/SECRET="": is required/);
  });
});
