import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends } from "@ndx/platform/testing";
import { admin, codes, drpOwner, immigration, startTestExchange, welfare, written, type TestExchange } from "./harness.ts";

const appFields = `id name description redirectUris authMethod clientRegistration status suspendedReason secretIssuedAt
  member { code } purposes { code text legalBasis maxConsentDays maxGrantDays }`;
const registerApplication = `mutation($input: RegisterApplicationInput!) {
  registerApplication(input: $input) { clientId clientSecret tokenEndpoint application { ${appFields} } } }`;
const rotate = `mutation($id: ID!) { rotateApplicationSecret(id: $id) { clientId clientSecret application { secretIssuedAt } } }`;
const suspend = `mutation($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { id status suspendedReason } }`;
const reinstate = `mutation($id: ID!) { reinstateApplication(id: $id) { id status suspendedReason } }`;

let purposeCounter = 0;
const visaApp = (overrides: Record<string, unknown> = {}) => ({
  member: "DIE",
  name: "Visa Applications",
  description: "The immigration office checks who you are when you apply for a visa.",
  redirectUris: ["https://visa.immigration.example/callback"],
  purposes: [{ code: `visa-application-${(purposeCounter += 1)}`, text: "To process your visa application", legalBasis: "Immigration Act, s. 9" }],
  ...overrides,
});

const publicJwk = () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { pub: { ...publicKey.export({ format: "jwk" }), alg: "ES256", use: "sig" }, priv: privateKey.export({ format: "jwk" }) };
};

for (const backend of testBackends()) {
  describe(`applications on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("registers an application through the registrar and returns its secret once, storing none", async () => {
      const body = await t.gql(immigration, registerApplication, { input: visaApp() });
      expect(body.errors).toBeUndefined();
      const creds = body.data?.["registerApplication"] as { clientId: string; clientSecret: string; tokenEndpoint: string; application: Record<string, unknown> };
      expect(creds.tokenEndpoint).toBe("http://idp.test/token");
      expect(creds.clientSecret).toBe(t.registrar.clients.get(creds.clientId)?.secret);
      expect(creds.application).toMatchObject({
        id: creds.clientId,
        member: { code: "DIE" },
        authMethod: "CLIENT_SECRET_BASIC",
        clientRegistration: "DYNAMIC",
        status: "ACTIVE",
        purposes: [{ text: "To process your visa application", maxConsentDays: 30, maxGrantDays: 365 }],
      });
      expect(creds.application["secretIssuedAt"]).toEqual(expect.any(String));
      // Neither the secret nor the registration access token is anywhere in the database or the audit entry.
      const dump = JSON.stringify((await t.db.query("SELECT * FROM application")).rows) + JSON.stringify((await t.db.query("SELECT * FROM admin_history")).rows);
      expect(dump).not.toContain(creds.clientSecret);
      expect(dump).not.toContain(t.registrar.clients.get(creds.clientId)?.token);
      expect(JSON.stringify(body.extensions?.["ndxAudit"])).not.toContain(creds.clientSecret);
      expect(body.extensions?.["ndxAudit"]).toMatchObject({ action: "registerApplication", target: `application:${creds.clientId}`, before: null });
    });

    it("registers a PRIVATE_KEY_JWT application with public keys only", async () => {
      const { pub, priv } = publicJwk();
      const ok = await t.gql(immigration, registerApplication, {
        input: visaApp({ name: "Visa back office", authMethod: "PRIVATE_KEY_JWT", jwks: JSON.stringify({ keys: [pub] }) }),
      });
      expect(ok.errors).toBeUndefined();
      expect(ok.data?.["registerApplication"]).toMatchObject({ clientSecret: null, application: { authMethod: "PRIVATE_KEY_JWT", secretIssuedAt: null } });
      const before = await written(t.db);
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ authMethod: "PRIVATE_KEY_JWT" }, /needs the application's public keys/],
        [{ authMethod: "PRIVATE_KEY_JWT", jwks: "{not json" }, /not JSON/],
        [{ authMethod: "PRIVATE_KEY_JWT", jwks: JSON.stringify({ keys: [] }) }, /1 to 10 keys/],
        [{ authMethod: "PRIVATE_KEY_JWT", jwks: JSON.stringify({ keys: [{ ...priv, alg: "ES256" }] }) }, /private or symmetric/],
        [{ authMethod: "PRIVATE_KEY_JWT", jwks: JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0" }] }) }, /private or symmetric/],
        [{ authMethod: "PRIVATE_KEY_JWT", jwks: JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "AA", y: "AA" }] }) }, /not a valid public key/],
        [{ jwks: JSON.stringify({ keys: [pub] }) }, /jwks is for PRIVATE_KEY_JWT/],
      ];
      for (const [overrides, message] of bad) {
        const body = await t.gql(immigration, registerApplication, { input: visaApp(overrides) });
        expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
        expect(body.errors?.[0]?.message).toMatch(message);
      }
      expect(await written(t.db)).toEqual(before);
    });

    it("refuses bad redirect URIs, purposes and sizes before any client is made", async () => {
      const clients = t.registrar.clients.size;
      const before = await written(t.db);
      const purpose = { text: "t", legalBasis: "l" };
      const bad: Record<string, unknown>[] = [
        { redirectUris: ["https://visa.example/callback#frag"] },
        { redirectUris: ["https://*.visa.example/callback"] },
        { redirectUris: ["/callback"] },
        { redirectUris: ["http://visa.example/callback"] },
        { redirectUris: ["https://user:pw@visa.example/cb"] },
        { redirectUris: [] },
        { redirectUris: Array.from({ length: 11 }, (_, i) => `https://visa.example/cb/${i}`) },
        { redirectUris: ["https://visa.example/cb", "https://visa.example/cb"] },
        { purposes: [] },
        { purposes: [{ ...purpose, code: "Bad Code" }] },
        { purposes: [{ ...purpose, code: "dup" }, { ...purpose, code: "dup" }] },
        { purposes: [{ ...purpose, code: "p-consent", maxConsentDays: 0 }] },
        { purposes: [{ ...purpose, code: "p-consent2", maxConsentDays: 366 }] },
        { purposes: [{ ...purpose, code: "p-grant", maxGrantDays: 1826 }] },
        { purposes: [{ ...purpose, code: "p-text", text: "" }] },
        { name: "x".repeat(201) },
        { description: "x".repeat(2001) },
        { description: "   " },
      ];
      for (const overrides of bad) {
        const body = await t.gql(immigration, registerApplication, { input: visaApp(overrides) });
        expect({ overrides, codes: codes(body) }).toEqual({ overrides, codes: ["BAD_USER_INPUT"] });
      }
      // A purpose code another application has: CONFLICT.
      const taken = await t.gql(immigration, registerApplication, { input: visaApp({ purposes: [{ ...purpose, code: "passport-application" }] }) });
      expect(codes(taken)).toEqual(["CONFLICT"]);
      expect(t.registrar.clients.size).toBe(clients);
      expect(await written(t.db)).toEqual(before);
    });

    it("accepts http to localhost in development only", async () => {
      const local = await t.gql(immigration, registerApplication, { input: visaApp({ redirectUris: ["http://localhost:5175/callback"] }) });
      expect(local.errors).toBeUndefined();
      const production = await startTestExchange(backend, { development: false });
      try {
        const body = await production.gql(immigration, registerApplication, { input: visaApp({ redirectUris: ["http://localhost:5175/callback"] }) });
        expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
        expect(body.errors?.[0]?.message).toBe("redirectUris[0] must be https");
      } finally {
        await production.close();
      }
    });

    it("lets only the member's administrators register its applications", async () => {
      const before = await written(t.db);
      for (const caller of [welfare, drpOwner, admin]) {
        expect(codes(await t.gql(caller, registerApplication, { input: visaApp() }))).toEqual(["FORBIDDEN"]);
      }
      expect(await written(t.db)).toEqual(before);
    });

    it("makes no orphan client: a failed write removes it, a failed registration writes nothing", async () => {
      const before = await written(t.db);
      const clients = t.registrar.clients.size;
      t.registrar.nextClientId = "passport-app";
      const clash = await t.gql(immigration, registerApplication, { input: visaApp() });
      expect(codes(clash)).toEqual(["CONFLICT"]);
      t.registrar.failNext = true;
      const down = await t.gql(immigration, registerApplication, { input: visaApp() });
      expect(codes(down)).toEqual(["UPSTREAM_UNAVAILABLE"]);
      expect(down.errors?.[0]?.message).not.toContain("internals");
      t.registrar.refuseNext = "invalid_client_metadata";
      const refused = await t.gql(immigration, registerApplication, { input: visaApp() });
      expect(codes(refused)).toEqual(["BAD_USER_INPUT"]);
      expect(refused.errors?.[0]?.extensions?.["oauthError"]).toBe("invalid_client_metadata");
      expect(t.registrar.clients.size).toBe(clients);
      expect(await written(t.db)).toEqual(before);
    });

    it("rotates a dynamic client's secret for its member's administrators only; a static one is rotated at the identity provider", async () => {
      const made = await t.gql(immigration, registerApplication, { input: visaApp() });
      const { clientId, clientSecret } = made.data?.["registerApplication"] as { clientId: string; clientSecret: string };
      const rotated = await t.gql(immigration, rotate, { id: clientId });
      expect(rotated.errors).toBeUndefined();
      const next = rotated.data?.["rotateApplicationSecret"] as { clientSecret: string };
      expect(next.clientSecret).not.toBe(clientSecret);
      expect(next.clientSecret).toBe(t.registrar.clients.get(clientId)?.secret);
      // The registration token the registrar issued with it is the one kept: a second rotation works.
      expect((await t.gql(immigration, rotate, { id: clientId })).errors).toBeUndefined();

      const fixed = await t.gql(immigration, rotate, { id: "passport-app" });
      expect(codes(fixed)).toEqual(["BAD_USER_INPUT"]);
      expect(fixed.errors?.[0]?.message).toMatch(/registered statically at the identity provider/);
      // Another member's application reads as none; the exchange admin is not the member's admin.
      expect(codes(await t.gql(welfare, rotate, { id: clientId }))).toEqual(["NOT_FOUND"]);
      expect(codes(await t.gql(admin, rotate, { id: clientId }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(immigration, rotate, { id: "no-such-app" }))).toEqual(["NOT_FOUND"]);
    });

    it("suspends and reinstates (exchange administrators), moving the revision, with a bounded reason", async () => {
      const revision = async () => (await written(t.db))["revision"] ?? 0;
      const r0 = await revision();
      const suspended = await t.gql(admin, suspend, { id: "benefits-app", reason: "Audit finding 2026-12" });
      expect(suspended.data?.["suspendApplication"]).toEqual({ id: "benefits-app", status: "SUSPENDED", suspendedReason: "Audit finding 2026-12" });
      expect(suspended.extensions?.["ndxAudit"]).toMatchObject({ action: "suspendApplication", before: { status: "ACTIVE" }, after: { status: "SUSPENDED" } });
      expect(await revision()).toBe(r0 + 1);
      expect(codes(await t.gql(admin, suspend, { id: "benefits-app", reason: "again" }))).toEqual(["CONFLICT"]);
      expect(codes(await t.gql(admin, suspend, { id: "passport-app", reason: "" }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await t.gql(admin, suspend, { id: "passport-app", reason: "x".repeat(501) }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await t.gql(welfare, suspend, { id: "passport-app", reason: "mine now" }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(admin, suspend, { id: "nope", reason: "r" }))).toEqual(["NOT_FOUND"]);
      const back = await t.gql(admin, reinstate, { id: "benefits-app" });
      expect(back.data?.["reinstateApplication"]).toEqual({ id: "benefits-app", status: "ACTIVE", suspendedReason: null });
      expect(codes(await t.gql(admin, reinstate, { id: "benefits-app" }))).toEqual(["CONFLICT"]);
      expect(await revision()).toBe(r0 + 2);
    });

    it("shows each member administrator their own applications only", async () => {
      const mine = await t.gql(welfare, `{ applications { id } application(id: "passport-app") { id } other: applications(member: "DIE") { id } }`);
      expect(mine.data).toEqual({ applications: [{ id: "benefits-app" }], application: null, other: [] });
      const all = await t.gql(admin, `{ applications(member: "SWD") { id member { code } } }`);
      expect(all.data).toEqual({ applications: [{ id: "benefits-app", member: { code: "SWD" } }] });
    });
  });
}
