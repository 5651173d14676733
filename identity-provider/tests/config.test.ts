/** The identity provider's configuration: the registration token has a default only in development. */
import { ConfigError } from "@ndx/platform";
import { describe, expect, it } from "vitest";
import { developmentRegistrationToken, loadIdentityProviderConfig } from "../src/index.ts";

describe("identity provider configuration", () => {
  it("has development defaults for the console client and the registration token", () => {
    const config = loadIdentityProviderConfig({});
    expect(config.IDP_REGISTRATION_TOKEN).toBe(developmentRegistrationToken);
    expect(config.CONSOLE_URL).toBe("http://localhost:8082");
    expect(config.CONSOLE_OIDC_CLIENT_SECRET).toBe("dev-console-secret");
  });

  it("requires a real registration token outside development", () => {
    expect(() => loadIdentityProviderConfig({ NDX_ENV: "test" })).toThrow(ConfigError);
    expect(() => loadIdentityProviderConfig({ NDX_ENV: "test", IDP_REGISTRATION_TOKEN: developmentRegistrationToken })).toThrow(
      /at least 24 characters/,
    );
    expect(() => loadIdentityProviderConfig({ NDX_ENV: "test", IDP_REGISTRATION_TOKEN: "short" })).toThrow(ConfigError);
    const token = "a-real-registration-token-0123456789";
    expect(loadIdentityProviderConfig({ NDX_ENV: "test", IDP_REGISTRATION_TOKEN: token }).IDP_REGISTRATION_TOKEN).toBe(token);
  });
});
