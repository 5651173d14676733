import { generateKeyPairSync } from "node:crypto";
import { ConfigError } from "@ndx/platform";
import { describe, expect, it } from "vitest";
import { loadConsentEngineConfig, loadFieldCatalogue } from "../src/index.ts";

const signingPem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();

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
      EXCHANGE_SERVICE_TOKEN: "dev-exchange-service-token",
      CONSENT_REQUEST_TTL_SECONDS: 3600,
      OIDC_CITIZEN_CLAIM: "sub",
      GATEWAY_URL: "http://localhost:4000",
      AUDIT_READ_TOKEN: "dev-audit-read-token",
    });
    // Without EXCHANGE_URL, development uses the fixed register of the exchange seed.
    expect(config.EXCHANGE_URL).toBeUndefined();
    expect(loadConsentEngineConfig({ EXCHANGE_URL: "http://localhost:4004" }).EXCHANGE_URL).toBe("http://localhost:4004");
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
    expect(problems.join("\n")).toMatch(/EXCHANGE_URL: must be set/);
    expect(problems.join("\n")).toMatch(/EXCHANGE_SERVICE_TOKEN is required/);
    expect(problems.join("\n")).toMatch(/CONSENT_SIGNING_KEY: must be set to the private key that signs consent artefacts/);
    const ok = loadConsentEngineConfig({
      NDX_ENV: "production",
      PORTAL_PUBLIC_URL: "https://consent.ndx.example",
      OIDC_ISSUER: "https://id.ndx.example/realms/ndx",
      OIDC_CLIENT_SECRET: "a-real-secret-from-the-vault-0001",
      CONSENT_SERVICE_TOKEN: "another-real-secret-from-the-vault",
      AUDIT_READ_TOKEN: "the-gateways-audit-read-secret-01",
      GATEWAY_URL: "https://gateway.ndx.example",
      EXCHANGE_URL: "https://exchange.ndx.example",
      EXCHANGE_SERVICE_TOKEN: "the-exchange-register-secret-0001",
      CONSENT_SIGNING_KEY: signingPem,
    });
    expect(ok.CONSENT_SIGNING_KEY?.alg).toBe("EdDSA");
    expect(ok.CONSUMER_TOKEN_AUDIENCE).toBe("https://gateway.ndx.example/graphql");
    expect(ok.EXCHANGE_URL).toBe("https://exchange.ndx.example");
    expect(ok.OIDC_ISSUER).toBe("https://id.ndx.example/realms/ndx");
    expect(ok.GATEWAY_URL).toBe("https://gateway.ndx.example");
    expect(ok.AUDIT_READ_TOKEN).toBe("the-gateways-audit-read-secret-01");
  });

  it("parses the artefact signing key and the previous one, and names a bad one without printing it", () => {
    const previous = generateKeyPairSync("ed25519").publicKey.export({ format: "pem", type: "spki" }).toString();
    const config = loadConsentEngineConfig({ CONSENT_SIGNING_KEY: signingPem, CONSENT_SIGNING_KEY_PREVIOUS: previous });
    expect(config.CONSENT_SIGNING_KEY?.publicJwk.kty).toBe("OKP");
    expect(config.CONSENT_SIGNING_KEY_PREVIOUS).toHaveLength(1);
    expect(loadConsentEngineConfig({}).CONSENT_SIGNING_KEY).toBeUndefined();
    let message = "";
    try {
      loadConsentEngineConfig({ CONSENT_SIGNING_KEY: "-----BEGIN PRIVATE KEY-----\nnot-a-key-secret-material\n-----END PRIVATE KEY-----" });
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toMatch(/CONSENT_SIGNING_KEY: .*expected an Ed25519 or P-256 private key/);
    expect(message).not.toContain("not-a-key-secret-material");
  });

  it("reads CONSENT_WEBHOOKS as application id to URL, https only outside development, naming the entry not the URL", () => {
    expect(loadConsentEngineConfig({ CONSENT_WEBHOOKS: '{"passport-app":"http://localhost:5173/hook"}' }).CONSENT_WEBHOOKS).toEqual({ "passport-app": "http://localhost:5173/hook" });
    expect(loadConsentEngineConfig({}).CONSENT_WEBHOOKS).toEqual({});
    expect(() => loadConsentEngineConfig({ CONSENT_WEBHOOKS: "passport-app=http://x" })).toThrow(/CONSENT_WEBHOOKS: is not JSON/);
    expect(() => loadConsentEngineConfig({ CONSENT_WEBHOOKS: '{"passport-app":"ftp://secret-host/x"}' })).toThrow(/the URL of passport-app must be an http\(s\) URL/);
    let message = "";
    try {
      loadConsentEngineConfig({ NDX_ENV: "production", CONSENT_WEBHOOKS: '{"passport-app":"http://secret-host.example/hook"}' });
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toMatch(/CONSENT_WEBHOOKS: the URL of passport-app must be an https URL/);
    expect(message).not.toContain("secret-host");
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
