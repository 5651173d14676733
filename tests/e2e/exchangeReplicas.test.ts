/**
 * Issue 16 with two gateway replicas over one real PostgreSQL (CI's TEST_DATABASE_URL): `npm start` on PostgreSQL runs
 * every part and the first gateway; a second gateway process joins it over the same database, subgraphs, consent
 * engine and exchange, with its own audit chain and the same signing key. Every change an exchange administrator makes
 * — a suspension, a reinstatement, a revoked grant — is enforced by both replicas within a second, with no restart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@ndx/platform/dev";
import { staffLogin } from "../../scripts/staffLogin.ts";
import { consumerToken, isListening, startNdx, type Started } from "./launcher.ts";
import { exchangeOps, gql, waitFor } from "./exchangeClient.ts";

const root = resolve(import.meta.dirname, "../..");
const adminUrl = process.env["TEST_DATABASE_URL"];
const dataDir = mkdtempSync(join(tmpdir(), "ndx-replicas-"));
const database = `ndx_e2e_${randomBytes(5).toString("hex")}`;
const signingKey = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
let ndx: Started | undefined;
let second: { process: ChildProcess; url: string } | undefined;

async function withAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (adminUrl === undefined || adminUrl === "") return;
  await withAdmin(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString(), GATEWAY_SIGNING_KEY: signingKey };
  ndx = await startNdx(dataDir, env);
  const urls = ndx.urls;
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(root, "gateway/src/main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      AUDIT_CHAIN: "replica-b",
      REGISTRY_URL: `${urls["registry"]}/graphql`,
      DRP_URL: `${urls["drp-rest"]}/graphql`,
      DMT_URL: `${urls["dmt-soap"]}/graphql`,
      EXCHANGE_URL: urls["exchange"] ?? "",
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      OIDC_AUDIENCE: `${urls["gateway"]}/graphql`,
      CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  second = { process: child, url: `http://127.0.0.1:${port}` };
  await waitFor(60_000, async () => ((await isListening(second!.url)) ? true : undefined));
}, 240_000);

afterAll(async () => {
  second?.process.kill("SIGTERM");
  if (ndx !== undefined) await ndx.stop();
  if (adminUrl !== undefined && adminUrl !== "") await withAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(adminUrl !== undefined && adminUrl !== "")("two gateway replicas over one PostgreSQL follow the exchange", () => {
  it("enforce a suspension, a reinstatement and a revoked grant within a second, both of them", async () => {
    const started = ndx!;
    const gateway = `${started.urls["gateway"]}/graphql`;
    const replicas = [gateway, `${second!.url}/graphql`];
    const issuer = started.urls["identity-provider"] ?? "";
    const admin = (
      await staffLogin("exchange.admin", "exchange-admin-dev-password", { issuer, audience: gateway, redirectUri: `${started.urls["consent-engine"]}/auth/callback` })
    ).accessToken;
    const ops = exchangeOps(gateway);
    const app = await consumerToken(issuer, "passport-app", gateway);
    const codeOn = async (replica: string, query: string) =>
      (await gql(replica, app, query, undefined, { "x-purpose": "passport-application" })).body.errors?.[0]?.extensions["code"];
    const everyReplica = (query: string, code: string) =>
      Promise.all(replicas.map((r) => waitFor(1000, async () => ((await codeOn(r, query)) === code ? true : undefined))));
    const vehicles = `{ person(nic: "199012345678") { vehicles { regNo } } }`;
    const address = `{ person(nic: "199012345678") { permanentAddress } }`;

    // Before: the seeded passport application is asked for consent (nothing forbids it) on both replicas.
    for (const r of replicas) expect(await codeOn(r, vehicles)).toBe("CONSENT_REQUIRED");

    expect((await ops.suspend(admin, "passport-app", "Replica test")).errors).toBeUndefined();
    await everyReplica(address, "FORBIDDEN");

    const reinstated = await gql(gateway, admin, `mutation { reinstateApplication(id: "passport-app") { status } }`);
    expect(reinstated.body.errors).toBeUndefined();
    await everyReplica(address, "CONSENT_REQUIRED");

    const grant = (await ops.grants(admin, "passport-app")).find((g) => g.coordinate === "Person.vehicles");
    expect(grant).toBeDefined();
    expect((await ops.revoke(admin, grant!.id, "Replica test")).errors).toBeUndefined();
    await everyReplica(vehicles, "FORBIDDEN");
    // What stays granted is still only a matter of consent.
    for (const r of replicas) expect(await codeOn(r, address)).toBe("CONSENT_REQUIRED");
  }, 120_000);
});
