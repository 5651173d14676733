/**
 * The whole read path for access tests, every part real and on real HTTP (free ports): the development identity
 * provider, the consent engine, the registry, both adapters with their legacy simulators, and the gateway with its
 * access plugin, policy bundle and audit trail. Every subgraph counts the requests it receives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsentEngine, prepareConsentDatabase, type ConsentEngine } from "@ndx/consent-engine";
import { createDmtStore, startDmtLegacy, type DmtLegacy } from "@ndx/dmt-legacy";
import { createDmtAdapter } from "@ndx/dmt-soap";
import { createDrpStore, startDrpLegacy, type DrpLegacy } from "@ndx/drp-legacy";
import { createDrpAdapter } from "@ndx/drp-rest";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createAccountDirectory, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "@ndx/identity-provider";
import { createServiceMetrics, defaultFixturesFile, listen, openDb, traceNodeRequests, type Db, type Listening, type Tracing } from "@ndx/platform";
import { clientCredentialsToken } from "@ndx/platform/dev";
import { buildBundle } from "@ndx/policy";
import { readSupergraph } from "@ndx/schema";
import {
  createAccessControl,
  createGateway,
  createGatewayMetrics,
  loadGatewayConfig,
  type AccessControl,
  type Gateway,
} from "../src/index.ts";
import { assertions, gatewayTrust, logger, seededRegister, startRegistry, type RunningRegistry } from "./harness.ts";

const fixtures = loadFarajaland(defaultFixturesFile);
const generated = 200;
const citizens = [...fixtures.citizens, ...generateCitizens({ count: generated, reserved: fixtures.citizens })];
const consentToken = "test-consent-service-token-123";
export const auditToken = "test-audit-read-token-12345678";
const audience = "http://localhost:4000/graphql";

interface Counted {
  readonly url: string;
  requests(): number;
  close(): Promise<void>;
}

async function counted(handler: RequestListener, close: () => Promise<void>): Promise<Counted> {
  let n = 0;
  const http: Listening = await listen((req, res) => {
    if (req.url?.startsWith("/graphql") === true) n += 1;
    handler(req, res);
  }, 0);
  return { url: `${http.url}/graphql`, requests: () => n, close: async () => (await http.close(), await close()) };
}

export interface System {
  readonly gateway: Gateway;
  readonly idp: RunningIdentityProvider;
  readonly consent: ConsentEngine;
  readonly portalUrl: string;
  readonly gatewayDb: Db;
  readonly drpLegacy: DrpLegacy;
  readonly dmtLegacy: DmtLegacy;
  /** GraphQL requests received by all subgraphs, and calls served by both legacy systems. */
  upstreamCalls(): number;
  /** The Authorization header (the gateway's caller assertion) of each GraphQL request the registry received. */
  readonly registryAuthorizations: readonly (string | undefined)[];
  /** A consumer access token from the identity provider (client credentials). */
  token(consumerId: string): Promise<string>;
  /** POST to the gateway (or to another replica). */
  query(body: unknown, headers?: Record<string, string>, via?: Gateway): Promise<{ status: number; body: Record<string, any> }>;
  /** A second gateway replica over the same database and subgraphs, writing its own audit chain. */
  replica(chain: string): Promise<Gateway>;
  /** The consent engine's API with the service token. */
  consentApi(path: string, body?: unknown): Promise<Record<string, any>>;
  /** Until the returned function is called, the consent engine answers every request with 503 (an outage). */
  consentOutage(): () => void;
  close(): Promise<void>;
}

export interface SystemOptions {
  /** More gateway settings (e.g. TRUSTED_DOCUMENTS_FILE, RATE_LIMIT_*), as the environment would give them. */
  readonly env?: Readonly<Record<string, string>>;
  /** The gateway's rate-limit clock in ms, for every replica. @default performance.now */
  readonly now?: () => number;
  /** Tracing of each part (gateway, registry, drp-rest, dmt-soap, drp-legacy, dmt-legacy). @default none: tracing off */
  readonly tracing?: (part: string) => Tracing;
  /** The consent engine's database (e.g. PostgreSQL from testBackends), left open at close. @default in-memory PGlite */
  readonly consentDb?: Db;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  buildBundle();
  // The consent engine listens first: its URL is the portal client's redirect URI at the identity provider.
  let consentHandler: RequestListener = (_q, s) => void s.writeHead(503).end();
  const consentHttp = await listen((q, s) => consentHandler(q, s), 0);
  const portalUrl = `http://localhost:${consentHttp.port}`;
  const keysDir = mkdtempSync(join(tmpdir(), "ndx-gw-idp-"));
  const idp = await startIdentityProvider({
    accounts: createAccountDirectory(fixtures),
    consumers: fixtures.consumers,
    portal: { url: portalUrl, clientId: "consent-portal", clientSecret: "test-portal-secret" },
    keys: await loadOrCreateKeys(keysDir),
    audience,
    logger,
  });
  const consentDb = options.consentDb ?? (await openDb({ schema: "consent" }));
  await prepareConsentDatabase(consentDb, fixtures.consumers);
  const consent = await createConsentEngine({
    db: consentDb,
    serviceToken: consentToken,
    portalUrl,
    oidc: { issuer: idp.issuer, clientId: "consent-portal", clientSecret: "test-portal-secret" },
    development: true,
    logger,
  });
  consentHandler = options.tracing === undefined
    ? consent.nodeHandler
    : traceNodeRequests(consent.nodeHandler, options.tracing("consent-engine"), { untraced: ["/v1/revision/stream"] });

  const apiKey = "sys-test-drp-key";
  const credentials = { username: "sys-test", password: "sys-test-dmt-pass" };
  const traced = (part: string) => (options.tracing === undefined ? {} : { tracing: options.tracing(part) });
  const [registry, drpLegacy, dmtLegacy]: [RunningRegistry, DrpLegacy, DmtLegacy] = await Promise.all([
    startRegistry(generated, traced("registry").tracing),
    startDrpLegacy({ store: createDrpStore(citizens), apiKeys: [apiKey], port: 0, logger, ...traced("drp-legacy") }),
    startDmtLegacy({ store: createDmtStore(citizens), credentials, port: 0, logger, ...traced("dmt-legacy") }),
  ]);
  const drpA = createDrpAdapter({ baseUrl: drpLegacy.url, apiKey, gatewayTrust, logger, ...traced("drp-rest") });
  const dmtA = createDmtAdapter({ baseUrl: dmtLegacy.url, credentials, gatewayTrust, logger, ...traced("dmt-soap") });
  const drp = await counted((q, s) => void drpA.yoga(q, s), drpA.close);
  const dmt = await counted((q, s) => void dmtA.yoga(q, s), dmtA.close);

  const config = loadGatewayConfig({
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: audience,
    CONSENT_ENGINE_URL: portalUrl,
    CONSENT_SERVICE_TOKEN: consentToken,
    AUDIT_READ_TOKEN: auditToken,
    ...options.env,
  });
  const gatewayTracing = options.tracing?.("gateway");
  const accessOptions = {
    ...(options.now === undefined ? {} : { now: options.now }),
    tracing: gatewayTracing,
    // The seeded register, unless the test runs an exchange register for the gateway to follow.
    ...(options.env?.["EXCHANGE_URL"] === undefined ? { register: seededRegister() } : {}),
  };
  // The exchange subgraph is not started here (the register is the seeded one, or a test's stand-in at EXCHANGE_URL):
  // without EXCHANGE_URL its route answers /health only, so that /ready does not hang on whatever holds port 4004.
  const exchangeHealth = await listen((req, res) => void res.writeHead(req.url === "/health" ? 200 : 404).end(), 0);
  const subgraphUrls = { registry: registry.url, drp: drp.url, dmt: dmt.url, exchange: config.subgraphUrls["exchange"] ?? `${exchangeHealth.url}/graphql` };
  const gatewayDb = await openDb({ schema: "gateway" });
  const supergraphSdl = readSupergraph();
  const service = createServiceMetrics("gateway");
  const metrics = createGatewayMetrics(service);
  const access: AccessControl = await createAccessControl({ config, supergraphSdl, logger, db: gatewayDb, metrics, ...accessOptions });
  const gateway = await createGateway({
    supergraphSdl,
    subgraphUrls,
    assertions,
    plugins: access.plugins,
    readiness: access.readiness,
    metrics: { service, gateway: metrics },
    graphiql: false,
    limits: config.limits,
    logger,
    tracing: gatewayTracing,
  });

  const replicas: { gateway: Gateway; access: AccessControl }[] = [];
  const consumerSecret = (id: string) => fixtures.consumers.find((c) => c.id === id)?.clientSecret ?? "";
  return {
    gateway,
    idp,
    consent,
    portalUrl,
    gatewayDb,
    drpLegacy,
    dmtLegacy,
    registryAuthorizations: registry.authorizations,
    upstreamCalls: () =>
      registry.requests() + drp.requests() + dmt.requests() + drpLegacy.stats.snapshot().total + dmtLegacy.stats.snapshot().total,
    async token(consumerId) {
      const issued = await clientCredentialsToken({ issuer: idp.issuer, clientId: consumerId, clientSecret: consumerSecret(consumerId), audience });
      return issued.accessToken;
    },
    async replica(chain) {
      const replicaAccess = await createAccessControl({ config: { ...config, AUDIT_CHAIN: chain }, supergraphSdl, logger, db: gatewayDb, ...accessOptions });
      const replicaGateway = await createGateway({
        supergraphSdl,
        subgraphUrls,
        assertions,
        plugins: replicaAccess.plugins,
        graphiql: false,
        limits: config.limits,
        logger,
      });
      replicas.push({ gateway: replicaGateway, access: replicaAccess });
      return replicaGateway;
    },
    async query(body, headers = {}, via = gateway) {
      const response = await via.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    },
    consentOutage() {
      const working = consentHandler;
      consentHandler = (_q, s) => void s.writeHead(503).end();
      return () => void (consentHandler = working);
    },
    async consentApi(path, body) {
      const response = await fetch(`${portalUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${consentToken}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as Record<string, any>;
    },
    async close() {
      for (const r of replicas) {
        await r.gateway.close();
        await r.access.close();
      }
      await gateway.close();
      await access.close();
      await Promise.all([drp.close(), dmt.close()]);
      await Promise.all([registry.close(), drpLegacy.close(), dmtLegacy.close()]);
      await consentHttp.close();
      await exchangeHealth.close();
      await consent.close();
      await idp.close();
      if (options.consentDb === undefined) await consentDb.close();
      await gatewayDb.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}
