/**
 * Registered clients outlive a restart: register, stop the provider and its database, start both again on the same
 * data (PGlite directory; PostgreSQL too when TEST_DATABASE_URL is set), and the client still gets a token and can
 * still be managed with its registration access token. Short-lived models stay in memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  clientStoreAdapter,
  createAccountDirectory,
  loadOrCreateKeys,
  openClientStore,
  startIdentityProvider,
  type RunningIdentityProvider,
} from "../src/index.ts";
import { clientCredentials, login } from "./support/oidcClient.ts";

const data = loadFarajaland(defaultFixturesFile);
const initialAccessToken = "test-registration-token";
const dataDir = mkdtempSync(join(tmpdir(), "ndx-idp-store-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(db: Db): Promise<RunningIdentityProvider> {
  return startIdentityProvider({
    accounts: createAccountDirectory(data),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    keys: await loadOrCreateKeys(join(dataDir, "keys")),
    audience: "http://localhost:4000/graphql",
    registration: { initialAccessToken },
    adapter: clientStoreAdapter(db),
    readinessChecks: { database: async () => void (await db.query("SELECT 1")) },
    logger: createLogger("identity-provider-test", "silent"),
  });
}

interface Registered {
  client_id: string;
  client_secret: string;
  registration_access_token: string;
  registration_client_uri: string;
}

async function survivesRestart(open: () => Promise<Db>): Promise<void> {
  let db = await open();
  let idp = await start(db);
  const created = await fetch(`${idp.issuer}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${initialAccessToken}` },
    body: JSON.stringify({ client_name: "Kept", grant_types: ["client_credentials"] }),
  });
  expect(created.status).toBe(201);
  const client = (await created.json()) as Registered;
  await idp.close();
  await db.close();

  db = await open();
  idp = await start(db);
  try {
    // The issuer moved (another port): the client is the same.
    expect((await clientCredentials(idp.issuer, client.client_id, client.client_secret)).status).toBe(200);
    const uri = client.registration_client_uri.replace(/^http:\/\/localhost:\d+/, idp.issuer);
    const read = await fetch(uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ client_id: client.client_id, client_name: "Kept" });
    const removed = await fetch(uri, { method: "DELETE", headers: { authorization: `Bearer ${client.registration_access_token}` } });
    expect(removed.status).toBe(204);
    expect((await clientCredentials(idp.issuer, client.client_id, client.client_secret)).status).toBe(401);
    const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM oidc_store");
    expect(rows.rows[0]?.n).toBe(0);
  } finally {
    await idp.close();
    await db.close();
  }
}

describe("registered clients across a restart", () => {
  it("are kept in PGlite under the data directory", async () => {
    await survivesRestart(() => openClientStore({ dataDir: join(dataDir, "pglite") }));
  });

  for (const backend of testBackends().filter((b) => b.name === "postgres")) {
    it("are kept in PostgreSQL (schema idp)", async () => {
      const server = await backend.open("idp");
      try {
        await survivesRestart(() => openClientStore({ url: server.url }));
      } finally {
        await server.close();
      }
    });
  }

  it("keeps only clients and registration access tokens in the database, not sessions or initial access tokens", async () => {
    const db = await openClientStore({});
    const idp = await start(db);
    try {
      const created = await fetch(`${idp.issuer}/reg`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${initialAccessToken}` },
        body: JSON.stringify({ grant_types: ["client_credentials"] }),
      });
      expect(created.status).toBe(201);
      const models = await db.query<{ model: string }>("SELECT DISTINCT model FROM oidc_store ORDER BY model");
      expect(models.rows.map((r) => r.model)).toEqual(["Client", "RegistrationAccessToken"]);
      // Sign-ins (sessions, interactions, codes, grants) run on the memory store beside it, and leave no row.
      const portal = { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" };
      const signedIn = await login(idp, portal, "registrar.maker", "maker-dev-password", "http://localhost:4000/graphql");
      expect(signedIn.status).toBe(200);
      expect(signedIn.tokens?.["access_token"]).toBeDefined();
      expect((await db.query("SELECT 1 FROM oidc_store WHERE model NOT IN ('Client', 'RegistrationAccessToken')")).rowCount).toBe(0);
      const ready = await fetch(`${idp.issuer}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { database: "ok", keys: "ok" } });
    } finally {
      await idp.close();
      await db.close();
    }
  });
});
