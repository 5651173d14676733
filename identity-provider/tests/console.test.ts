/**
 * The exchange console's client `ndx-console`: staff sign in by authorization code + PKCE at its redirect URI and get
 * an access token for the gateway with their kind and roles, as the portal's client does; nothing else is its.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consoleClientId,
  createAccountDirectory,
  developmentUsers,
  loadOrCreateKeys,
  startIdentityProvider,
  type RunningIdentityProvider,
} from "../src/index.ts";
import { clientCredentials, login } from "./support/oidcClient.ts";

const data = loadFarajaland(defaultFixturesFile);
const audience = "http://localhost:4000/graphql";
const consoleClient = { url: "http://localhost:8082", clientId: consoleClientId, clientSecret: "console-test-secret" };
const dataDir = mkdtempSync(join(tmpdir(), "ndx-idp-console-"));
let idp: RunningIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider({
    accounts: createAccountDirectory({ citizens: data.citizens, users: developmentUsers(data.users, loadExchangeSeed().users) }),
    consumers: data.consumers,
    portal: { url: "http://localhost:8081", clientId: "consent-portal", clientSecret: "portal-test-secret" },
    console: consoleClient,
    keys: await loadOrCreateKeys(dataDir),
    audience,
    logger: createLogger("identity-provider-test", "silent"),
  });
});
afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the console client ndx-console", () => {
  it("signs staff in at <CONSOLE_URL>/auth/callback and gets a gateway token with their kind and roles", async () => {
    const result = await login(idp, consoleClient, "registrar.checker", "checker-dev-password", audience);
    expect(result.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload } = await jwtVerify<JWTPayload & Record<string, unknown>>(result.tokens?.["access_token"] ?? "", jwks, {
      issuer: idp.issuer,
      audience,
      algorithms: ["RS256"],
    });
    expect(payload.sub).toBe("registrar.checker");
    expect(payload["client_id"]).toBe(consoleClientId);
    expect(payload["kind"]).toBe("staff");
    expect(payload["roles"]).toEqual(["registrar", "approver"]);
    const { payload: id } = await jwtVerify(result.tokens?.["id_token"] ?? "", jwks, { issuer: idp.issuer, audience: consoleClientId });
    expect(id.sub).toBe("registrar.checker");
    expect(id["kind"]).toBe("staff");
  });

  it("signs the exchange's staff in with the roles of its seed", async () => {
    const seeded = loadExchangeSeed().users;
    expect(seeded.length).toBeGreaterThan(0);
    for (const user of [seeded[0], seeded.find((u) => u.username === "rgd.owner")]) {
      if (user === undefined) throw new Error("the exchange seed lost a user");
      const result = await login(idp, consoleClient, user.username, user.password, audience);
      expect(result.status).toBe(200);
      const { payload } = await jwtVerify(result.tokens?.["access_token"] ?? "", createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
        audience,
      });
      expect(payload).toMatchObject({ sub: user.username, kind: "staff", roles: user.roles });
    }
    const wrong = await login(idp, consoleClient, "exchange.admin", "registrar-password", audience);
    expect(wrong.status).toBe(401);
  });

  it("refuses an exchange seed whose usernames clash with the fixtures' users", () => {
    expect(() => developmentUsers(data.users, [{ username: "registrar.maker", password: "x", kind: "staff", roles: ["exchange_admin"] }])).toThrow(
      /registrar\.maker/,
    );
  });

  it("redirects only to the console's own callback", async () => {
    const stolen = await login(idp, { ...consoleClient, url: "http://localhost:8081" }, "registrar.checker", "checker-dev-password");
    expect(stolen.status).toBe(400);
    expect(stolen.html).toContain("redirect_uri");
  });

  it("refuses a wrong secret and the client-credentials grant", async () => {
    const wrong = await login(idp, { ...consoleClient, clientSecret: "not-it" }, "registrar.checker", "checker-dev-password");
    expect(wrong.status).toBe(401);
    expect(wrong.tokens).toMatchObject({ error: "invalid_client" });
    const machine = await clientCredentials(idp.issuer, consoleClientId, consoleClient.clientSecret);
    expect(machine.status).toBe(400);
    expect(await machine.json()).toMatchObject({ error_description: "requested grant type is not allowed for this client" });
  });
});
