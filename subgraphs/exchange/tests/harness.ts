/** An exchange on a test backend, called as the gateway calls it (caller assertions signed by a test gateway's key). */
import { randomBytes, randomUUID } from "node:crypto";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile, migrate, readMigrations, type Db, type ForwardedCaller } from "@ndx/platform";
import { createTestGateway, type Backend } from "@ndx/platform/testing";
import { catalogue } from "./catalogue.ts";
import type { ConsentCoverage } from "../src/schemaRegistry/consentCoverage.ts";
import { createExchange, migrationsDir, seedExchange, type ClientRegistrar, type ExchangeServer } from "../src/index.ts";

const gateway = createTestGateway();
/** A consent engine where no consent covers anything (the schema registry's tests start their own). */
const noConsents: ConsentCoverage = { activeConsents: async () => 0 };
export const serviceToken = "test-exchange-service-token";

const staff = (id: string, roles: string[]): ForwardedCaller => ({ kind: "staff", id, roles, traceId: undefined, decisionId: `decision-${id}` });
export const admin = staff("exchange.admin", ["exchange_admin"]);
export const admin2 = staff("exchange.admin2", ["exchange_admin"]);
export const immigration = staff("immigration.admin", ["member_admin"]);
export const welfare = staff("welfare.admin", ["member_admin"]);
export const health = staff("health.admin", ["member_admin"]);
export const drpOwner = staff("drp.owner", ["provider_data_owner"]);
export const dmtOwner = staff("dmt.owner", ["provider_data_owner"]);
export const rgdOwner = staff("rgd.owner", ["provider_data_owner"]);
export const passportApp: ForwardedCaller = { kind: "consumer", id: "passport-app", roles: [], traceId: undefined };

export interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export type Gql = (caller: ForwardedCaller | undefined, query: string, variables?: Record<string, unknown>) => Promise<Body>;

/** A registrar held in memory: what the exchange asked of the identity provider, and failures on demand. */
export interface MemoryRegistrar extends ClientRegistrar {
  readonly clients: Map<string, { name: string; authMethod: string; secret: string | undefined; token: string }>;
  /** Makes the next register() return this client id (e.g. one the exchange has already). */
  nextClientId: string | undefined;
  failNext: boolean;
  /** Makes the next register() a refusal with this OAuth error code (as the identity provider answers bad metadata). */
  refuseNext: string | undefined;
}

function memoryRegistrar(): MemoryRegistrar {
  const clients: MemoryRegistrar["clients"] = new Map();
  const self: MemoryRegistrar = {
    clients,
    nextClientId: undefined,
    failNext: false,
    refuseNext: undefined,
    tokenEndpoint: "http://idp.test/token",
    async register(input) {
      if (self.failNext) {
        self.failNext = false;
        throw new Error("registration refused: upstream body with internals");
      }
      if (self.refuseNext !== undefined) {
        const error = self.refuseNext;
        self.refuseNext = undefined;
        throw Object.assign(new Error(`client registration refused: ${error}`), { status: 400, error });
      }
      const clientId = self.nextClientId ?? `app-${randomUUID()}`;
      self.nextClientId = undefined;
      const secret = input.authMethod === "client_secret_basic" ? randomBytes(24).toString("base64url") : undefined;
      const token = randomBytes(16).toString("hex");
      clients.set(clientId, { name: input.name, authMethod: input.authMethod, secret, token });
      return { clientId, ...(secret === undefined ? {} : { clientSecret: secret }), registrationAccessToken: token, registrationClientUri: `http://idp.test/reg/${clientId}` };
    },
    async rotateSecret(client) {
      const held = clients.get(client.clientId);
      if (held === undefined || held.token !== client.registrationAccessToken) throw new Error("invalid registration access token");
      const secret = randomBytes(24).toString("base64url");
      const token = randomBytes(16).toString("hex");
      clients.set(client.clientId, { ...held, secret, token });
      return { clientId: client.clientId, clientSecret: secret, registrationAccessToken: token, registrationClientUri: client.registrationClientUri };
    },
    async remove(client) {
      clients.delete(client.clientId);
    },
  };
  return self;
}

export interface TestExchange {
  readonly db: Db & { readonly url: string | undefined };
  readonly server: ExchangeServer;
  readonly registrar: MemoryRegistrar;
  readonly gql: Gql;
  /** GET a register path with the service token (or `token`). */
  get(path: string, token?: string | null): Promise<Response>;
  /** Another exchange process on the same database. */
  start(): Promise<{ server: ExchangeServer; gql: Gql }>;
  close(): Promise<void>;
}

export const seed = loadExchangeSeed();
export const consumers = loadFarajaland(defaultFixturesFile).consumers;
const logger = createLogger("test", "silent");

function gqlFor(server: ExchangeServer): Gql {
  return async (caller, query, variables) => {
    const response = await server.yoga.fetch("http://exchange.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(await gateway.headers("exchange", caller)) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Body;
  };
}

export async function startTestExchange(
  backend: Backend,
  options: { seeded?: boolean; heartbeatMs?: number; staleAfterMs?: number; development?: boolean; coverage?: ConsentCoverage } = {},
): Promise<TestExchange> {
  const db = await backend.open("exchange");
  await migrate(db, readMigrations(migrationsDir), "ndx:exchange");
  const registrar = memoryRegistrar();
  const servers: ExchangeServer[] = [];
  const start = async () => {
    const server = await createExchange({
      db,
      logger,
      registrar,
      catalogue,
      secretKey: randomBytes(32),
      serviceToken,
      development: options.development ?? true,
      listenUrl: db.url,
      gatewayTrust: gateway.trust,
      heartbeatMs: options.heartbeatMs ?? 50,
      staleAfterMs: options.staleAfterMs ?? 500,
      coverage: options.coverage ?? noConsents,
    });
    servers.push(server);
    return { server, gql: gqlFor(server) };
  };
  if (options.seeded ?? true) await seedExchange(db, { seed, consumers, catalogue });
  const first = await start();
  return {
    db,
    server: first.server,
    registrar,
    gql: first.gql,
    get: async (path, token = serviceToken) =>
      first.server.yoga.fetch(`http://exchange.test${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } }),
    start,
    async close() {
      for (const s of servers) await s.close();
      await db.close();
    },
  };
}

/** The GraphQL error codes of a response, in order. */
export const codes = (body: Body): unknown[] => (body.errors ?? []).map((e) => e.extensions?.["code"]);

const count = async (db: Db, table: string): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;

/** Row counts of every table a change writes: equal before and after a refused change means nothing was half-written. */
export async function written(db: Db): Promise<Record<string, number>> {
  const tables = ["member", "member_person", "member_provider", "application", "purpose", "grant_request", "grant_request_part", "field_grant", "admin_history"];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await count(db, t);
  const revision = await db.query<{ revision: number }>("SELECT revision::int AS revision FROM exchange_revision");
  out["revision"] = revision.rows[0]?.revision ?? -1;
  return out;
}

export const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();
