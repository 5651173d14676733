/**
 * The environment the bench starts each part with is one the part accepts: the measured parts (subgraphs, adapters,
 * the plain and NDX gateways) as production, with a real secret wherever production requires one, and the parts that
 * stay in development (identity provider, consent engine, simulators) holding the same values where both sides must
 * match. Each part's own configuration loader decides, as at its start.
 */
import { adapterCacheEnv } from "../src/adapterCache.ts";
import { describe, expect, it } from "vitest";
import { developmentSecrets as gatewayDevelopmentSecrets, loadGatewayConfig } from "@ndx/gateway";
import { generateGatewaySigningKey } from "@ndx/platform";
import { dmtAdapter } from "../../adapters/dmt-soap/src/dmtAdapter.ts";
import { drpAdapter } from "../../adapters/drp-rest/src/drpAdapter.ts";
import { services } from "../../scripts/services.ts";
import { developmentSecrets as consentDevelopmentSecrets, loadConsentEngineConfig } from "../../consent-engine/src/config.ts";
import { loadIdentityProviderConfig } from "../../identity-provider/src/config.ts";
import { developmentSecretKey, developmentServiceToken, loadExchangeConfig } from "../../subgraphs/exchange/src/config.ts";
import { loadTimeStampingAuthorityConfig } from "../../time-stamping-authority/src/config.ts";
import { developmentKek, loadRegistryConfig } from "../../subgraphs/registry/src/config.ts";
import { loadDmtLegacyConfig } from "../../simulators/dmt-legacy/src/config.ts";
import { loadDrpLegacyConfig } from "../../simulators/drp-legacy/src/config.ts";
import { benchSecrets, gatewayEnv, partEnv } from "../src/partsEnv.ts";

const secrets = benchSecrets();
const urls = Object.fromEntries(services.map((s) => [s.name, `http://127.0.0.1:${s.port}`]));
// What a developer's shell may hold: the bench's own settings must win over it (the parts inherit the bench's environment).
const shell = { NODE_ENV: "development", NDX_ENV: "test" };
/** What the bench gives a backing part, over the inherited shell (an undefined value unsets it, as in spawn). */
function envOf(name: string): Record<string, string | undefined> {
  const spec = services.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`no service ${name}`);
  return { ...shell, ...partEnv(name, secrets), PORT: String(spec.port), ...spec.links?.(urls) };
}
const signingKeyPem = generateGatewaySigningKey().privateKey.export({ type: "pkcs8", format: "pem" }).toString();
// The links run.ts adds: the exchange (both gateways route its subgraph; the NDX gateway follows its register) and the TSA.
const links = { EXCHANGE_URL: urls["exchange"], AUDIT_TSA_URL: urls["time-stamping-authority"] };
const gatewayOf = (accessControl: boolean) =>
  loadGatewayConfig({ ...shell, ...gatewayEnv(secrets, signingKeyPem), ...links, PORT: "0", ACCESS_CONTROL: String(accessControl) });

describe("the bench's secrets", () => {
  const developmentValues = [
    ...Object.values(gatewayDevelopmentSecrets),
    ...Object.values(consentDevelopmentSecrets),
    developmentKek,
    "dev-registry-events-token",
    "dev-drp-api-key",
    "dev-dmt-password",
    developmentSecretKey,
    developmentServiceToken,
    "dev-idp-registration-token",
  ];

  it("are real secrets: at least 24 characters, none a development value", () => {
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThanOrEqual(24);
      expect(developmentValues, name).not.toContain(value);
    }
  });

  it("include a checkpoint key that is a private key of its own", () => {
    expect(secrets.auditCheckpointKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(secrets.auditCheckpointKey).not.toBe(signingKeyPem);
  });

  it("are generated for each run", () => {
    const again = benchSecrets();
    for (const name of Object.keys(secrets) as (keyof typeof secrets)[]) expect(again[name], name).not.toBe(secrets[name]);
  });
});

describe("the environment of each part", () => {
  it("starts the registry as production, with its own KEK and events token", () => {
    const config = loadRegistryConfig(envOf("registry"));
    expect(config.NDX_ENV).toBe("production");
    expect(config.REGISTRY_KEK).toBe(secrets.registryKek);
    expect(config.REGISTRY_EVENTS_TOKEN).toBe(secrets.registryEventsToken);
    expect(config.gatewayTrust.jwks).toBe(`${urls["gateway"]}/.well-known/jwks.json`);
  });

  it("starts the adapters as production, with the credentials their simulators accept", () => {
    const drp = drpAdapter.loadConfig(envOf("drp-rest"));
    const dmt = dmtAdapter.loadConfig(envOf("dmt-soap"));
    for (const config of [drp, dmt]) {
      expect(config.NDX_ENV).toBe("production");
      expect(config.gatewayTrust.jwks).toBe(`${urls["gateway"]}/.well-known/jwks.json`);
    }
    expect(drp.upstream.url).toBe(urls["drp-legacy"]);
    expect(dmt.upstream.url).toBe(urls["dmt-legacy"]);
    const drpLegacy = loadDrpLegacyConfig(envOf("drp-legacy"));
    expect(drpLegacy.DRP_LEGACY_API_KEYS.split(",")).toContain(drp.DRP_LEGACY_API_KEY);
    expect(drp.DRP_LEGACY_API_KEY).toBe(secrets.drpApiKey);
    const dmtLegacy = loadDmtLegacyConfig(envOf("dmt-legacy"));
    expect(dmtLegacy.DMT_LEGACY_PASSWORD).toBe(dmt.DMT_LEGACY_PASSWORD);
    expect(dmt.DMT_LEGACY_PASSWORD).toBe(secrets.dmtPassword);
    expect(dmtLegacy.DMT_LEGACY_USERNAME).toBe(dmt.DMT_LEGACY_USERNAME);
  });

  it("starts both bench gateways as production, with the consent engine's tokens and the bench's signing key", () => {
    const consent = loadConsentEngineConfig(envOf("consent-engine"));
    for (const config of [gatewayOf(false), gatewayOf(true)]) {
      expect(config.NDX_ENV).toBe("production");
      expect(config.signing.generated).toBe(false);
      expect(config.CONSENT_SERVICE_TOKEN).toBe(consent.CONSENT_SERVICE_TOKEN);
      expect(config.AUDIT_READ_TOKEN).toBe(consent.AUDIT_READ_TOKEN);
    }
  });

  it("starts the exchange as production, with its own secrets, the register credential its followers hold, and the identity provider's registration token", () => {
    const exchange = loadExchangeConfig(envOf("exchange"));
    expect(exchange.NDX_ENV).toBe("production");
    expect(exchange.EXCHANGE_SERVICE_TOKEN).toBe(secrets.exchangeServiceToken);
    expect(exchange.EXCHANGE_SECRET_KEY).toBe(secrets.exchangeSecretKey);
    expect(exchange.gatewayTrust.jwks).toBe(`${urls["gateway"]}/.well-known/jwks.json`);
    expect(exchange.IDP_REGISTRATION_TOKEN).toBe(loadIdentityProviderConfig(envOf("identity-provider")).IDP_REGISTRATION_TOKEN);
    expect(loadConsentEngineConfig(envOf("consent-engine")).EXCHANGE_SERVICE_TOKEN).toBe(secrets.exchangeServiceToken);
    for (const config of [gatewayOf(false), gatewayOf(true)]) {
      expect(config.EXCHANGE_SERVICE_TOKEN).toBe(secrets.exchangeServiceToken);
      expect(config.EXCHANGE_URL).toBe(urls["exchange"]);
    }
  });

  it("gives the NDX gateway the bench's checkpoint key and the time-stamping authority, which runs in development", () => {
    const ndx = gatewayOf(true);
    expect(ndx.evidence.key).toBeDefined();
    expect(ndx.evidence.tsaUrl).toBe(urls["time-stamping-authority"]);
    expect(loadTimeStampingAuthorityConfig(envOf("time-stamping-authority")).NDX_ENV).toBe("development");
  });

  it("knows every part npm start runs that the bench starts", () => {
    for (const s of services.filter((p) => p.name !== "gateway" && p.name !== "console")) expect(() => partEnv(s.name, secrets), s.name).not.toThrow();
  });

  it("keeps the identity provider and the consent engine in development, with the bench's secrets, not the development ones", () => {
    const idp = loadIdentityProviderConfig(envOf("identity-provider"));
    const consent = loadConsentEngineConfig(envOf("consent-engine"));
    expect(idp.NDX_ENV).toBe("development");
    expect(consent.NDX_ENV).toBe("development");
    expect(consent.CONSENT_SERVICE_TOKEN).toBe(secrets.consentServiceToken);
    expect(consent.AUDIT_READ_TOKEN).toBe(secrets.auditReadToken);
    expect(consent.OIDC_CLIENT_SECRET).toBe(secrets.portalClientSecret);
    expect(idp.PORTAL_CLIENT_SECRET).toBe(secrets.portalClientSecret);
  });

  it("turns the adapters' cache of legacy answers off only for --adapter-cache off", () => {
    for (const [name, adapter] of [["drp-rest", drpAdapter], ["dmt-soap", dmtAdapter]] as const) {
      expect(adapter.loadConfig({ ...envOf(name), ...adapterCacheEnv("default") }).cache.ttlMs, name).toBeGreaterThan(0);
      expect(adapter.loadConfig({ ...envOf(name), ...adapterCacheEnv("off") }).cache.ttlMs, name).toBe(0);
    }
  });

  it("gives the registry's guardianship route and the consent engine, which asks it who may answer for a citizen, the same generated token", () => {
    const registry = loadRegistryConfig(envOf("registry"));
    const consent = loadConsentEngineConfig(envOf("consent-engine"));
    expect(registry.guardianshipToken).toBe(secrets.registryGuardianshipToken);
    expect(consent.REGISTRY_GUARDIANSHIP_TOKEN).toBe(secrets.registryGuardianshipToken);
  });
});
