/**
 * The schema registry over real HTTP for the consent engine's coverage answer (a stand-in server with its contract):
 * the seed, publishing with every check, who may do what, activation with and without override, rollback, and the
 * gateways' endpoints (/v1/supergraph, /v1/usage).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@ndx/platform";
import { endpointAnswer, testBackends } from "@ndx/platform/testing";
import { subgraphSdl, supergraphFile } from "@ndx/schema";
import { createConsentCoverage } from "../src/schemaRegistry/consentCoverage.ts";
import { admin, codes, dmtOwner, drpOwner, rgdOwner, serviceToken, startTestExchange, type TestExchange } from "./harness.ts";

const versionFields = `id subgraph number status publishedBy activatedBy overrideReason sdl
  checks { passed against compositionErrors compositionHints
    changes { criticality type path message use { coordinate applications activeConsents inUse operations { operation consumer count lastSeen } } }
    findings { severity rule coordinate message overridable } }`;
const publish = `mutation($s: String!, $sdl: String!) { publishSchemaVersion(subgraph: $s, sdl: $sdl) { ${versionFields} } }`;
const activate = `mutation($id: ID!, $o: String) { activateSchemaVersion(id: $id, override: $o) { ${versionFields} } }`;
const rollback = `mutation($s: String!, $n: Int!) { rollbackSchema(subgraph: $s, number: $n) { ${versionFields} } }`;
const versions = `query($s: String!) { schemaVersions(subgraph: $s) { id number status } }`;
const activeSchema = `{ activeSchema { hash position activatedBy versions { id } } }`;

const drp = subgraphSdl("drp");
const withField = drp.replace(
  '  "Profession as registered with the DRP."',
  '  "Date the DRP first registered the person."\n  registeredOn: String @classified(as: "PERSONAL")\n  "Marital status."\n  maritalStatus: String\n  "Profession as registered with the DRP."',
);
const withoutAddress = drp.replace(/ {2}"Permanent address[^\n]*\n {2}permanentAddress[^\n]*\n/, "");
const badKey = drp.replace('@key(fields: "nic")', '@key(fields: "nosuchfield")');
const weaker = drp.replace('permanentAddress: String @classified(as: "PERSONAL")', 'permanentAddress: String @classified(as: "PUBLIC")');

type Version = {
  id: string;
  number: number;
  status: string;
  overrideReason: string | null;
  checks: {
    passed: boolean;
    compositionErrors: string[];
    changes: { criticality: string; type: string; path: string; use: { applications: string[]; activeConsents: number | null; inUse: boolean; operations: { operation: string; consumer: string; count: number }[] } | null }[];
    findings: { severity: string; rule: string; coordinate: string; message: string; overridable: boolean }[];
  };
};

for (const backend of testBackends()) {
  describe(`the schema registry on ${backend.name}`, () => {
    let t: TestExchange;
    let engine: Server;
    let engineUp = true;
    const asked: string[] = [];
    beforeAll(async () => {
      engine = createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        asked.push(`${url.pathname}?${url.searchParams.toString()} ${req.headers.authorization ?? ""}`);
        if (!engineUp) {
          res.writeHead(503).end("internal details");
          return;
        }
        const active = url.searchParams.get("provider") === "drp" && url.searchParams.get("field") === "Person.permanentAddress" ? 7 : 0;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ provider: url.searchParams.get("provider"), field: url.searchParams.get("field"), active }));
      });
      await new Promise<void>((r) => engine.listen(0, "127.0.0.1", r));
      const port = (engine.address() as { port: number }).port;
      const coverage = createConsentCoverage({ url: `http://127.0.0.1:${port}`, serviceToken: "consent-token", logger: createLogger("test", "silent") });
      t = await startTestExchange(backend, { coverage });
    });
    afterAll(async () => {
      await t?.close();
      await new Promise((r) => engine?.close(r));
    });

    const post = (path: string, body: unknown, token = serviceToken) =>
      t.server.yoga.fetch(`http://exchange.test${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

    it("seeds version 1 of every subgraph, active, composing to the checked-in supergraph", async () => {
      const body = await t.gql(admin, activeSchema);
      const active = body.data?.["activeSchema"] as { hash: string; position: number; activatedBy: string; versions: { id: string }[] };
      expect(active.hash).toBe(createHash("sha256").update(readFileSync(supergraphFile, "utf8")).digest("hex"));
      expect(active.position).toBe(1);
      expect(active.versions.map((v) => v.id).sort()).toEqual(["dmt@1", "drp@1", "exchange@1", "registry@1"]);
      const response = await t.get("/v1/supergraph");
      expect(response.status).toBe(200);
      const etag = response.headers.get("etag") ?? "";
      expect(((await response.json()) as { sdl: string }).sdl).toBe(readFileSync(supergraphFile, "utf8"));
      const again = await t.server.yoga.fetch("http://exchange.test/v1/supergraph", { headers: { authorization: `Bearer ${serviceToken}`, "if-none-match": etag } });
      expect(again.status).toBe(304);
      expect((await t.get("/v1/supergraph", "wrong")).status).toBe(401);
    });

    it("lets only a data owner of the subgraph's member, or an exchange administrator, publish", async () => {
      expect(codes(await t.gql(dmtOwner, publish, { s: "drp", sdl: withField }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(drpOwner, publish, { s: "nosuch", sdl: withField }))).toEqual(["FORBIDDEN"]);
      expect(codes(await t.gql(admin, publish, { s: "nosuch", sdl: withField }))).toEqual(["NOT_FOUND"]);
    });

    it("publishes a new field: passed, a SAFE change, an undeclared data class warned about", async () => {
      const body = await t.gql(drpOwner, publish, { s: "drp", sdl: withField });
      const v = body.data?.["publishSchemaVersion"] as Version;
      expect(v).toMatchObject({ id: "drp@2", number: 2, status: "PUBLISHED", checks: { passed: true, compositionErrors: [] } });
      expect(v.checks.changes.filter((c) => c.type === "FIELD_ADDED").map((c) => [c.criticality, c.type, c.path])).toEqual([
        ["SAFE", "FIELD_ADDED", "Person.registeredOn"],
        ["SAFE", "FIELD_ADDED", "Person.maritalStatus"],
      ]);
      expect(v.checks.findings).toEqual([
        { severity: "WARNING", rule: "undeclared-data-class", coordinate: "Person.maritalStatus", message: "Person.maritalStatus declares no @classified: it is PERSONAL", overridable: true },
      ]);
      expect(body.extensions?.["ndxAudit"]).toMatchObject({ action: "publishSchemaVersion", target: "drp@2", after: { status: "PUBLISHED" } });
    });

    it("refuses removing a field in use, naming the operations, the applications granted it and the consents", async () => {
      const seen = new Date().toISOString();
      const usage = (operation: string, count: number) => ({ operation, consumer: "passport-app", provider: "drp", coordinate: "Person.permanentAddress", count, lastSeen: seen });
      expect((await post("/v1/usage", { records: [usage("CitizenProfile", 3), usage("CitizenProfile", 2)] })).status).toBe(204);
      const v = (await t.gql(drpOwner, publish, { s: "drp", sdl: withoutAddress })).data?.["publishSchemaVersion"] as Version;
      expect(v.status).toBe("REFUSED");
      const removal = v.checks.changes.find((c) => c.path === "Person.permanentAddress");
      expect(removal).toMatchObject({ criticality: "BREAKING", type: "FIELD_REMOVED" });
      expect(removal?.use?.operations).toEqual([expect.objectContaining({ operation: "CitizenProfile", consumer: "passport-app", count: 5 })]);
      expect(removal?.use?.applications).toContain("passport-app");
      expect(removal?.use?.activeConsents).toBe(7);
      const finding = v.checks.findings.find((f) => f.rule === "breaking-change-in-use");
      expect(finding).toMatchObject({ severity: "ERROR", coordinate: "Person.permanentAddress", overridable: true });
      expect(finding?.message).toContain("CitizenProfile");
      expect(finding?.message).toContain("7 ACTIVE consents");
      expect(asked).toContain("/v1/consents/coverage?provider=drp&field=Person.permanentAddress Bearer consent-token");
    });

    it("refuses a composition error with composition's own message, and a weaker data class while consents cover it", async () => {
      const bad = (await t.gql(drpOwner, publish, { s: "drp", sdl: badKey })).data?.["publishSchemaVersion"] as Version;
      expect(bad.status).toBe("REFUSED");
      expect(bad.checks.compositionErrors.join("\n")).toMatch(/nosuchfield/);
      const syntax = (await t.gql(drpOwner, publish, { s: "drp", sdl: "type {" })).data?.["publishSchemaVersion"] as Version;
      expect(syntax.checks.compositionErrors).toEqual([expect.stringContaining("Syntax Error")]);
      const weak = (await t.gql(drpOwner, publish, { s: "drp", sdl: weaker })).data?.["publishSchemaVersion"] as Version;
      expect(weak.checks.findings).toContainEqual(expect.objectContaining({ severity: "ERROR", rule: "weaker-data-class", coordinate: "Person.permanentAddress", overridable: false }));
      // Nobody may activate those.
      for (const id of [bad.id, weak.id]) expect(codes(await t.gql(admin, activate, { id, o: "we know" }))).toEqual(["CONFLICT"]);
    });

    it("refuses dropping a @subject argument: consent is checked for the citizen it names", async () => {
      const registry = subgraphSdl("registry");
      const dropped = registry.replace("person(nic: String! @subject): Person", "person(nic: String!): Person");
      expect(dropped).not.toBe(registry);
      const v = (await t.gql(rgdOwner, publish, { s: "registry", sdl: dropped })).data?.["publishSchemaVersion"] as Version;
      expect(v.status).toBe("REFUSED");
      expect(v.checks.findings).toContainEqual(expect.objectContaining({ severity: "ERROR", rule: "subject-argument-kept", coordinate: "Query.person", overridable: false }));
    });

    it("counts a change as in use when the consent engine cannot be asked (fail closed)", async () => {
      engineUp = false;
      try {
        const v = (await t.gql(drpOwner, publish, { s: "drp", sdl: drp.replace(/ {2}"Profession[^\n]*\n {2}profession[^\n]*\n/, "") })).data?.["publishSchemaVersion"] as Version;
        expect(v.status).toBe("REFUSED");
        expect(v.checks.changes[0]?.use).toMatchObject({ activeConsents: null, inUse: true });
      } finally {
        engineUp = true;
      }
    });

    it("activates (exchange administrator only), composes a new supergraph, and rolls back", async () => {
      expect(codes(await t.gql(drpOwner, activate, { id: "drp@2" }))).toEqual(["FORBIDDEN"]);
      const before = ((await (await t.get("/v1/supergraph")).json()) as { hash: string; sdl: string });
      const v = (await t.gql(admin, activate, { id: "drp@2" })).data?.["activateSchemaVersion"] as Version;
      expect(v.status).toBe("ACTIVE");
      const after = (await (await t.get("/v1/supergraph")).json()) as { hash: string; sdl: string; position: number; versions: Record<string, number> };
      expect(after.hash).not.toBe(before.hash);
      expect(after.sdl).toContain("registeredOn");
      expect(after.versions).toMatchObject({ drp: 2, registry: 1 });
      // What grants can name follows at once.
      const drpFields = async () =>
        ((await t.gql(admin, `{ exchangeFields(provider: "drp") { coordinate dataClass } }`)).data?.["exchangeFields"] as { coordinate: string }[]).map((f) => f.coordinate);
      expect(await drpFields()).toContain("Person.registeredOn");
      expect(codes(await t.gql(admin, activate, { id: "drp@2" }))).toEqual(["CONFLICT"]);
      const listed = (await t.gql(drpOwner, versions, { s: "drp" })).data?.["schemaVersions"] as { id: string; status: string }[];
      expect(listed.slice(-2)).toEqual([{ id: "drp@2", number: 2, status: "ACTIVE" }, { id: "drp@1", number: 1, status: "SUPERSEDED" }].map(({ id, status }) => expect.objectContaining({ id, status })));
      expect(codes(await t.gql(admin, rollback, { s: "drp", n: 3 }))).toEqual(["CONFLICT"]);
      const back = (await t.gql(admin, rollback, { s: "drp", n: 1 })).data?.["rollbackSchema"] as Version;
      expect(back.status).toBe("ACTIVE");
      const rolled = (await (await t.get("/v1/supergraph")).json()) as { hash: string; sdl: string };
      expect(rolled.hash).toBe(before.hash);
      expect(rolled.sdl).not.toContain("registeredOn");
      expect(await drpFields()).not.toContain("Person.registeredOn");
    });

    it("activates a version refused for a breaking change in use only with an override, recorded", async () => {
      const refused = ((await t.gql(drpOwner, versions, { s: "drp" })).data?.["schemaVersions"] as { id: string; status: string }[]).find((v) => v.id === "drp@3");
      expect(refused?.status).toBe("REFUSED");
      expect(codes(await t.gql(admin, activate, { id: "drp@3" }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await t.gql(admin, activate, { id: "drp@3", o: "  " }))).toEqual(["BAD_USER_INPUT"]);
      const body = await t.gql(admin, activate, { id: "drp@3", o: "DRP stops holding addresses (law 12/2026)" });
      expect(body.data?.["activateSchemaVersion"]).toMatchObject({ status: "ACTIVE", overrideReason: "DRP stops holding addresses (law 12/2026)" });
      expect(body.extensions?.["ndxAudit"]).toMatchObject({ action: "activateSchemaVersion", after: { override: "DRP stops holding addresses (law 12/2026)" } });
      expect(codes(await t.gql(admin, rollback, { s: "drp", n: 1 }))).toEqual([]);
    });

    it("takes usage batches only from a service that holds the token, and only well-formed", async () => {
      const error = (status: number, code: string) => ({ status, code, cache: "no-store" });
      expect(await endpointAnswer(await post("/v1/usage", { records: [] }, "wrong"))).toEqual(error(401, "UNAUTHENTICATED"));
      expect(await endpointAnswer(await post("/v1/usage", { records: [{ operation: "x", consumer: "c", provider: "drp", coordinate: "not a coordinate", count: 1, lastSeen: new Date().toISOString() }] }))).toEqual(error(400, "BAD_USER_INPUT"));
      expect(await endpointAnswer(await post("/v1/usage", { records: [{ operation: "x", consumer: "c", provider: "drp", coordinate: "Person.nic", count: 0, lastSeen: new Date().toISOString() }] }))).toEqual(error(400, "BAD_USER_INPUT"));
      expect(await endpointAnswer(await t.server.yoga.fetch("http://exchange.test/v1/usage", { headers: { authorization: `Bearer ${serviceToken}` } }))).toEqual(error(405, "BAD_USER_INPUT"));
    });
  });
}
