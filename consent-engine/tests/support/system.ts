/**
 * A whole consent system for tests, on real HTTP: the development identity provider and the consent engine, each on
 * a free port, the engine on a fresh database (PGlite unless a backend is given). The engine listens first so that
 * its URL can be registered as the portal client's redirect URI at the provider.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExchangeRegister } from "@ndx/contracts";
import { loadExchangeSeed, loadFarajaland, loadHouseholds, seedRegister } from "@ndx/fixtures";
import { createAccountDirectory, loadOrCreateKeys, startIdentityProvider, type RunningIdentityProvider } from "@ndx/identity-provider";
import { createLogger, defaultFixturesFile, listen, openDb, type Db } from "@ndx/platform";
import {
  createConsentEngine,
  fixedApplicationRegister,
  prepareConsentDatabase,
  type ConsentEngine,
  type ConsentEngineOptions,
} from "../../src/index.ts";

export const fixtures = loadFarajaland(defaultFixturesFile);
/** The register the harness gives unless a test brings its own: the exchange seed's applications, all ACTIVE. */
export const seededRegister: ExchangeRegister = seedRegister(loadExchangeSeed(), fixtures);
const serviceToken = "test-service-token-0123456789";
export const passportRedirect = "http://localhost:5173/callback";

export interface TestSystem {
  readonly portalUrl: string;
  readonly idp: RunningIdentityProvider;
  readonly engine: ConsentEngine;
  readonly db: Db;
  /** Calls the engine's API with the service token. */
  api(path: string, body?: unknown, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestSystemOptions {
  /** An already open database (e.g. from testBackends); PGlite in memory otherwise. */
  readonly db?: Db & { readonly url?: string | undefined };
  /** `applications` defaults to a fixed {@link seededRegister}. */
  readonly engine?: Partial<Pick<ConsentEngineOptions, "now" | "applications" | "requestTtlSeconds" | "revisionHeartbeatMs" | "auditReader" | "artefacts" | "webhooks" | "guardianship">>;
  /** Start the identity provider too. @default true */
  readonly idp?: boolean;
}

export async function startSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  let handler: RequestListener = (_req, res) => void res.writeHead(503).end();
  const http = await listen((req, res) => handler(req, res), 0);
  const portalUrl = `http://localhost:${http.port}`;
  const keysDir = mkdtempSync(join(tmpdir(), "ndx-consent-idp-"));
  const idp = await startIdentityProvider({
    // The demo households' citizens too (a minor child signs in to be told a guardian answers for her).
    accounts: createAccountDirectory({ ...fixtures, citizens: [...fixtures.citizens, ...loadHouseholds().citizens] }),
    consumers: fixtures.consumers,
    portal: { url: portalUrl, clientId: "consent-portal", clientSecret: "test-portal-secret" },
    keys: await loadOrCreateKeys(keysDir),
    audience: "http://localhost:4000/graphql",
    logger: createLogger("identity-provider", "silent"),
  });
  const db = options.db ?? (await openDb({ schema: "consent" }));
  await prepareConsentDatabase(db);
  const engine = await createConsentEngine({
    db,
    applications: fixedApplicationRegister(seededRegister),
    databaseUrl: options.db?.url,
    serviceToken,
    portalUrl,
    oidc: { issuer: idp.issuer, clientId: "consent-portal", clientSecret: "test-portal-secret" },
    development: true,
    logger: createLogger("consent-engine", "silent"),
    ...options.engine,
  });
  handler = engine.nodeHandler;
  return {
    portalUrl,
    idp,
    engine,
    db,
    api(path, body, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${serviceToken}`);
      if (body !== undefined) headers.set("content-type", "application/json");
      return fetch(`${portalUrl}${path}`, {
        ...init,
        method: init.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async close() {
      await http.close();
      await engine.close();
      await idp.close();
      await db.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** The scope of the acceptance test: fields from registry, DRP and DMT. */
const passportScope = [
  { provider: "registry", field: "Person.fullName" },
  { provider: "registry", field: "Person.dateOfBirth" },
  { provider: "drp", field: "Person.permanentAddress" },
  { provider: "dmt", field: "Person.vehicles" },
  { provider: "dmt", field: "Vehicle.regNo" },
];

export const passportRequest = {
  consumerId: "passport-app",
  citizenId: "199012345678",
  purpose: "passport-application",
  fields: passportScope,
};
