/**
 * The exchange as the console sees it, every part real and on real HTTP (free ports), started in this process: the
 * development identity provider (the console's client, Dynamic Client Registration for the exchange), the exchange
 * subgraph on a fresh seeded PGlite database registering applications' clients at that provider, the consent engine
 * following the exchange's register, the gateway with its access plugin following the register too (policy, audit,
 * GET /audit/summary), and the console. The registry and the adapters are not started: the console reads only the
 * exchange's types, and the field catalogue comes from the supergraph.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsentEngine, followExchangeRegister, prepareConsentDatabase, type ApplicationRegister, type ConsentEngine } from "@ndx/consent-engine";
import { createClientRegistrar, createExchange, loadFieldCatalogue, migrationsDir as exchangeMigrations, seedExchange, type ExchangeServer } from "@ndx/exchange";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { createAccessControl, createGateway, loadGatewayConfig, type AccessControl, type Gateway } from "@ndx/gateway";
import { consoleClientId, createAccountDirectory, developmentUsers, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "@ndx/identity-provider";
import { createCallerAssertionSigner, createLogger, defaultFixturesFile, generateGatewaySigningKey, listen, migrate, openDb, readMigrations, type Db, type Listening } from "@ndx/platform";
import { buildBundle } from "@ndx/policy";
import { readSupergraph, supergraphFile } from "@ndx/schema";
import { createConsole, type Console } from "../../../src/index.ts";

export const audience = "http://localhost:4000/graphql";
export const sessionSecret = "console-browser-test-session-secret-0123";
const consoleSecret = "console-browser-test-client-secret";
const registrationToken = "console-browser-test-registration-token";
const exchangeToken = "console-browser-test-exchange-token-01";
const consentToken = "console-browser-test-consent-token-0001";
const logger = createLogger("console-browser-test", "silent");

export interface RealSystem {
  readonly consoleUrl: string;
  readonly gatewayUrl: string;
  readonly idp: RunningIdentityProvider;
  readonly console: Console;
  close(): Promise<void>;
}

/** Listens at once on a free port with a handler set later (so URLs can be registered before the parts exist). */
async function placeholder(): Promise<{ http: Listening; url: string; serve(handler: RequestListener): void }> {
  let handler: RequestListener = (_q, s) => void s.writeHead(503).end();
  const http = await listen((q, s) => handler(q, s), 0);
  return { http, url: `http://localhost:${http.port}`, serve: (h) => void (handler = h) };
}

export async function startRealSystem(): Promise<RealSystem> {
  buildBundle();
  const data = loadFarajaland(defaultFixturesFile);
  const closers: (() => Promise<void>)[] = [];
  const [consoleHttp, portalHttp, gatewayHttp] = await Promise.all([placeholder(), placeholder(), placeholder()]);
  closers.push(() => consoleHttp.http.close(), () => portalHttp.http.close(), () => gatewayHttp.http.close());

  const keysDir = mkdtempSync(join(tmpdir(), "ndx-console-browser-idp-"));
  closers.push(async () => rmSync(keysDir, { recursive: true, force: true }));
  const idp = await startIdentityProvider({
    accounts: createAccountDirectory({ citizens: data.citizens, users: developmentUsers(data.users, loadExchangeSeed().users) }),
    consumers: data.consumers,
    portal: { url: portalHttp.url, clientId: "consent-portal", clientSecret: "console-browser-test-portal-secret" },
    console: { url: consoleHttp.url, clientId: consoleClientId, clientSecret: consoleSecret },
    registration: { initialAccessToken: registrationToken },
    keys: await loadOrCreateKeys(keysDir),
    audience,
    logger,
  });
  closers.push(() => idp.close());

  // The exchange, trusting only the gateway's caller assertions.
  const assertions = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
  const exchangeDb: Db = await openDb({ schema: "exchange" });
  closers.push(() => exchangeDb.close());
  await migrate(exchangeDb, readMigrations(exchangeMigrations), "ndx:exchange");
  const catalogue = loadFieldCatalogue(supergraphFile);
  await seedExchange(exchangeDb, { seed: loadExchangeSeed(), consumers: data.consumers, catalogue });
  const exchange: ExchangeServer = await createExchange({
    db: exchangeDb,
    logger,
    registrar: createClientRegistrar({ issuer: idp.issuer, initialAccessToken: registrationToken }),
    catalogue,
    secretKey: randomBytes(32),
    serviceToken: exchangeToken,
    development: true,
    gatewayTrust: { jwks: assertions.jwks },
    // The followers (engine, gateway) count as stale after 3 s of silence, not the default 1 s: Chromium and every
    // part share a loaded 2-core CI machine here, and a stale register answers 502/503 where a page expects data.
    staleAfterMs: 3000,
  });
  const exchangeHttp = await listen(exchange.yoga, 0);
  const exchangeUrl = `http://127.0.0.1:${exchangeHttp.port}`;
  closers.push(() => exchangeHttp.close(), () => exchange.close());

  // The consent engine, following the exchange's register.
  const applications: ApplicationRegister = followExchangeRegister({ url: exchangeUrl, serviceToken: exchangeToken, logger, timeoutMs: 5000 });
  await applications.ready();
  const consentDb = await openDb({ schema: "consent" });
  closers.push(() => consentDb.close());
  await prepareConsentDatabase(consentDb);
  const consent: ConsentEngine = await createConsentEngine({
    db: consentDb,
    applications,
    serviceToken: consentToken,
    portalUrl: portalHttp.url,
    oidc: { issuer: idp.issuer, clientId: "consent-portal", clientSecret: "console-browser-test-portal-secret" },
    development: true,
    logger,
  });
  portalHttp.serve(consent.nodeHandler);
  closers.push(() => consent.close());

  // The gateway, following the register, with its audit trail and summary.
  const config = loadGatewayConfig({
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: audience,
    CONSENT_ENGINE_URL: portalHttp.url,
    CONSENT_SERVICE_TOKEN: consentToken,
    EXCHANGE_URL: exchangeUrl,
    EXCHANGE_SERVICE_TOKEN: exchangeToken,
    AUDIT_READ_TOKEN: "console-browser-test-audit-read-token",
  });
  const gatewayDb = await openDb({ schema: "gateway" });
  closers.push(() => gatewayDb.close());
  const supergraphSdl = readSupergraph();
  const access: AccessControl = await createAccessControl({ config, supergraphSdl, logger, db: gatewayDb });
  closers.push(() => access.close());
  const gateway: Gateway = await createGateway({
    supergraphSdl,
    subgraphUrls: { exchange: `${exchangeUrl}/graphql` },
    assertions,
    plugins: access.plugins,
    readiness: access.readiness,
    graphiql: false,
    limits: config.limits,
    logger,
  });
  closers.push(() => gateway.close());
  gatewayHttp.serve((q, s) => void gateway.yoga(q, s));

  const app = createConsole({
    publicUrl: consoleHttp.url,
    oidc: { issuer: idp.issuer, clientId: consoleClientId, clientSecret: consoleSecret },
    gatewayUrl: gatewayHttp.url,
    gatewayAudience: audience,
    sessionSecret,
    development: true,
    logger,
  });
  consoleHttp.serve(app.nodeHandler);

  return {
    consoleUrl: consoleHttp.url,
    gatewayUrl: gatewayHttp.url,
    idp,
    console: app,
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
