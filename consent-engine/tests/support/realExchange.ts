/**
 * The real exchange subgraph (`@ndx/exchange`) on a free port and a fresh PGlite database, seeded as a development
 * exchange, for tests that follow its register: its mutations are called as the gateway calls them (caller assertions
 * signed by a test gateway's key). Its identity-provider registrar is held in memory: the consent engine reads
 * applications, not OAuth clients.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { loadExchangeSeed } from "@ndx/fixtures";
import { createExchange, loadFieldCatalogue, migrationsDir, seedExchange, type ClientRegistrar, type ExchangeServer } from "@ndx/exchange";
import { createLogger, listen, migrate, openDb, readMigrations, type Db, type ForwardedCaller } from "@ndx/platform";
import { createTestGateway } from "@ndx/platform/testing";
import { supergraphFile } from "@ndx/schema";
import { fixtures } from "./system.ts";

export interface RealExchange {
  readonly url: string;
  readonly token: string;
  /** A GraphQL call as `caller`, through the gateway's trust; errors are thrown with their codes. */
  gql(caller: ForwardedCaller, query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const staff = (id: string, roles: string[]): ForwardedCaller => ({ kind: "staff", id, roles, traceId: undefined, decisionId: `decision-${randomUUID()}` });
/** Seeded staff: an exchange administrator and the member administrator of DIE. */
export const exchangeAdmin = staff("exchange.admin", ["exchange_admin"]);
export const immigrationAdmin = staff("immigration.admin", ["member_admin"]);

const memoryRegistrar: ClientRegistrar = {
  tokenEndpoint: "http://idp.test/token",
  async register() {
    const clientId = `app-${randomUUID()}`;
    return { clientId, clientSecret: randomBytes(24).toString("base64url"), registrationAccessToken: randomUUID(), registrationClientUri: `http://idp.test/reg/${clientId}` };
  },
  async rotateSecret(client) {
    return { ...client, clientSecret: randomBytes(24).toString("base64url") };
  },
  async remove() {},
};

export async function startRealExchange(options: { heartbeatMs?: number; staleAfterMs?: number } = {}): Promise<RealExchange> {
  const token = "test-real-exchange-service-token-01";
  const logger = createLogger("exchange", "silent");
  const gateway = createTestGateway();
  const catalogue = loadFieldCatalogue(supergraphFile);
  const db: Db = await openDb({ schema: "exchange" });
  await migrate(db, readMigrations(migrationsDir), "ndx:exchange");
  await seedExchange(db, { seed: loadExchangeSeed(), consumers: fixtures.consumers, catalogue });
  const server: ExchangeServer = await createExchange({
    db,
    logger,
    registrar: memoryRegistrar,
    catalogue,
    secretKey: randomBytes(32),
    serviceToken: token,
    development: true,
    gatewayTrust: gateway.trust,
    heartbeatMs: options.heartbeatMs ?? 100,
    // 10 s (the contract's default is 1 s): a loaded 2-core CI machine has paused the test process past 1 s and, once,
    // past 3 s, and the engine's register went stale (current() refuses) or a suspension it should have acknowledged
    // lapsed. The follower acknowledges within milliseconds; the cost is that a tightening change within 10 s of this
    // exchange's start waits out that start (a previous incarnation's followers, revisionFollowers.ts), idle time.
    staleAfterMs: options.staleAfterMs ?? 10_000,
  });
  const http = await listen(server.yoga, 0);
  const url = `http://127.0.0.1:${http.port}`;
  return {
    url,
    token,
    async gql(caller, query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await gateway.headers("exchange", caller)) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
      if (body.errors !== undefined) throw new Error(body.errors.map((e) => `${e.extensions?.code ?? "?"}: ${e.message}`).join("; "));
      return body.data ?? {};
    },
    async close() {
      await server.close();
      await http.close();
      await db.close();
    },
  };
}
