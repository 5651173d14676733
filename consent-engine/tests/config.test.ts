import { ConfigError } from "@ndx/platform";
import { describe, expect, it } from "vitest";
import { loadConsentEngineConfig, loadFieldCatalogue } from "../src/index.ts";

describe("configuration", () => {
  it("has development defaults for everything", () => {
    const config = loadConsentEngineConfig({});
    expect(config).toMatchObject({
      PORT: 8081,
      NDX_ENV: "development",
      PORTAL_PUBLIC_URL: "http://localhost:8081",
      OIDC_ISSUER: "http://localhost:9000",
      OIDC_CLIENT_ID: "consent-portal",
      OIDC_CLIENT_SECRET: "dev-consent-portal-secret",
      CONSENT_SERVICE_TOKEN: "dev-consent-service-token",
      CONSENT_MAX_DAYS: 30,
      CONSENT_MAX_DAYS_BY_PURPOSE: {},
      CONSENT_REQUEST_TTL_SECONDS: 3600,
      OIDC_CITIZEN_CLAIM: "sub",
      GATEWAY_URL: "http://localhost:4000",
      AUDIT_READ_TOKEN: "dev-audit-read-token",
    });
  });

  it("reads per-purpose limits and refuses malformed ones", () => {
    expect(loadConsentEngineConfig({ CONSENT_MAX_DAYS_BY_PURPOSE: "passport-application=90, benefit-eligibility=7" }).CONSENT_MAX_DAYS_BY_PURPOSE).toEqual({
      "passport-application": 90,
      "benefit-eligibility": 7,
    });
    expect(() => loadConsentEngineConfig({ CONSENT_MAX_DAYS_BY_PURPOSE: "passport-application" })).toThrow(ConfigError);
    expect(() => loadConsentEngineConfig({ CONSENT_MAX_DAYS_BY_PURPOSE: "x=0" })).toThrow(/from 1 to 3650/);
  });

  it("outside development, demands real secrets and an https portal", () => {
    let problems: readonly string[] = [];
    try {
      loadConsentEngineConfig({ NDX_ENV: "production", CONSENT_SERVICE_TOKEN: "dev-consent-service-token", AUDIT_READ_TOKEN: "dev-audit-read-token" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.join("\n")).toMatch(/OIDC_CLIENT_SECRET is required/);
    expect(problems.join("\n")).toMatch(/CONSENT_SERVICE_TOKEN must be a real secret/);
    expect(problems.join("\n")).toMatch(/PORTAL_PUBLIC_URL must be https/);
    expect(problems.join("\n")).toMatch(/AUDIT_READ_TOKEN must be a real secret/);
    const ok = loadConsentEngineConfig({
      NDX_ENV: "production",
      PORTAL_PUBLIC_URL: "https://consent.ndx.example",
      OIDC_ISSUER: "https://id.ndx.example/realms/ndx",
      OIDC_CLIENT_SECRET: "a-real-secret-from-the-vault-0001",
      CONSENT_SERVICE_TOKEN: "another-real-secret-from-the-vault",
      AUDIT_READ_TOKEN: "the-gateways-audit-read-secret-01",
      GATEWAY_URL: "https://gateway.ndx.example",
    });
    expect(ok.OIDC_ISSUER).toBe("https://id.ndx.example/realms/ndx");
    expect(ok.GATEWAY_URL).toBe("https://gateway.ndx.example");
    expect(ok.AUDIT_READ_TOKEN).toBe("the-gateways-audit-read-secret-01");
  });

  it("takes NODE_ENV=production alone as production, and refuses it beside NDX_ENV=development", () => {
    expect(() => loadConsentEngineConfig({ NODE_ENV: "production" })).toThrow(/PORTAL_PUBLIC_URL must be https/);
    expect(() => loadConsentEngineConfig({ NODE_ENV: "production", NDX_ENV: "development" })).toThrow(/NDX_ENV.*NODE_ENV=production/);
  });
});

describe("field catalogue", () => {
  const catalogue = loadFieldCatalogue();
  it("knows the gateway's fields with human labels", () => {
    expect(catalogue.fieldLabel({ provider: "drp", field: "Person.permanentAddress" })).toBe("Permanent address");
    expect(catalogue.fieldLabel({ provider: "dmt", field: "Person.vehicles" })).toBe("Vehicles you own");
    expect(catalogue.providerLabel("registry")).toContain("Registrar General");
    expect(catalogue.purposeLabel("passport-application")).toBe("To process your passport application");
    for (const [provider, fields] of Object.entries({
      registry: ["Person.fullName", "Person.dateOfBirth", "Person.birthPlace", "Person.district", "Person.sex", "Person.birthRegistrationNumber", "Person.nic"],
      drp: ["Person.registeredName", "Person.otherNames", "Person.permanentAddress", "Person.profession"],
      dmt: ["Person.vehicles", "Vehicle.regNo", "Vehicle.make", "Vehicle.model", "Vehicle.year", "Vehicle.class", "VehicleClass.className", "VehicleClass.classCode"],
    })) {
      for (const field of fields) expect(catalogue.has({ provider, field }), `${provider} ${field}`).toBe(true);
    }
    expect(catalogue.has({ provider: "registry", field: "Person.permanentAddress" })).toBe(false);
  });
});
