/**
 * Trusted documents: the manifest formats and their checks, then through the real gateway and real subgraphs with
 * passport-app held to the manifest: an arbitrary query is FORBIDDEN and an unknown id NOT_FOUND before anything is
 * called; a document named by documentId or by Apollo's sha256Hash runs, still under every limit and the access
 * plugin; a consumer that is not held is unaffected.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrustedDocuments, loadGatewayConfig, parseTrustedDocumentManifest } from "../src/index.ts";
import { startSystem, type System } from "./system.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const districtsDoc = "query Districts { districts }";
const personDoc = "query Person($nic: String!) { person(nic: $nic) { fullName } }";
const aliasFlood = "query Flood { a: districts b: districts c: districts d: districts }";

describe("the manifest", () => {
  it("reads Apollo's persisted query manifest and a plain map, and finds every document by the sha256 of its body too", () => {
    const apollo = parseTrustedDocumentManifest({
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [{ id: sha256(districtsDoc), name: "Districts", type: "query", body: districtsDoc }],
    });
    expect([...apollo]).toEqual([[sha256(districtsDoc), districtsDoc]]);
    const plain = parseTrustedDocumentManifest({ "person-v1": personDoc });
    expect([...plain]).toEqual([["person-v1", personDoc]]);
    const trusted = createTrustedDocuments({ documents: plain, required: ["passport-app"] });
    expect(trusted.size).toBe(1);
    expect(trusted.holds("passport-app")).toBe(true);
    expect(trusted.holds("benefits-app")).toBe(false);
    expect(createTrustedDocuments({ documents: plain, required: ["*"] }).holds("benefits-app")).toBe(true);
  });

  it("refuses at start-up, naming each: a sha256-like id that is not its body's, a body that does not parse, a bad entry", () => {
    const wrong = sha256("something else");
    expect(() => parseTrustedDocumentManifest({ [wrong]: districtsDoc, broken: "query { districts", empty: "" }, "m.json")).toThrow(
      new RegExp(`m.json:\\n  - ${wrong}: looks like a sha256 but is not the sha256 of its body\\n  - broken: does not parse: .*\\n  - entry 2: needs`),
    );
    expect(() => parseTrustedDocumentManifest({ format: "apollo-persisted-query-manifest", version: 2, operations: [] })).toThrow(/version 1/);
    expect(() => parseTrustedDocumentManifest([districtsDoc])).toThrow(/expected an Apollo persisted query manifest/);
  });

  it("holding consumers needs a manifest (configuration names the problem)", () => {
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS_REQUIRED: "passport-app" })).toThrow(/TRUSTED_DOCUMENTS_REQUIRED=.*TRUSTED_DOCUMENTS_FILE is not set/);
    expect(loadGatewayConfig({}).trustedDocuments).toEqual({ file: undefined, required: [] });
    expect(loadGatewayConfig({ TRUSTED_DOCUMENTS_FILE: "/m.json", TRUSTED_DOCUMENTS_REQUIRED: "passport-app, benefits-app" }).trustedDocuments).toEqual({
      file: "/m.json",
      required: ["passport-app", "benefits-app"],
    });
  });
});

describe("through the gateway, passport-app held to the manifest", () => {
  let system: System;
  let dir: string;
  let passport: string;
  let benefits: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ndx-trusted-"));
    const manifest = join(dir, "manifest.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        format: "apollo-persisted-query-manifest",
        version: 1,
        operations: [
          { id: sha256(districtsDoc), name: "Districts", type: "query", body: districtsDoc },
          { id: sha256(personDoc), name: "Person", type: "query", body: personDoc },
          { id: sha256(aliasFlood), name: "Flood", type: "query", body: aliasFlood },
        ],
      }),
    );
    system = await startSystem({ env: { TRUSTED_DOCUMENTS_FILE: manifest, TRUSTED_DOCUMENTS_REQUIRED: "passport-app", MAX_ALIASES: "2" } });
    passport = await system.token("passport-app");
    benefits = await system.token("benefits-app");
  });
  afterAll(async () => {
    await system?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const passportHeaders = () => ({ authorization: `Bearer ${passport}`, "x-purpose": "passport-application" });
  const benefitsHeaders = () => ({ authorization: `Bearer ${benefits}`, "x-purpose": "benefit-eligibility" });

  /** Sends `body` and returns the response with the upstream calls it caused. */
  async function send(body: unknown, headers: Record<string, string>) {
    const before = system.upstreamCalls();
    const response = await system.query(body, headers);
    return { ...response, upstream: system.upstreamCalls() - before };
  }

  it("refuses an arbitrary query of a held consumer with FORBIDDEN, calling nothing", async () => {
    const response = await send({ query: "{ districts }" }, passportHeaders());
    expect(response.status).toBe(403);
    expect(response.body["errors"][0].extensions.code).toBe("FORBIDDEN");
    expect(response.body["errors"][0].message).toMatch(/passport-app may send only trusted documents/);
    expect(response.body["data"]).toBeUndefined();
    expect(response.upstream).toBe(0);
    const metrics = await (await system.gateway.yoga.fetch("http://gateway.test/metrics")).text();
    expect(metrics).toMatch(/ndx_requests_turned_away_total\{consumer="passport-app",reason="untrusted_document"[^}]*\} 1\n/);
  });

  it("runs a trusted document named by documentId or by Apollo's sha256Hash", async () => {
    const byId = await send({ documentId: sha256(districtsDoc) }, passportHeaders());
    expect(byId.status).toBe(200);
    expect(byId.body["data"]["districts"]).toContain("Ibombo");
    const apollo = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(districtsDoc) } } }, passportHeaders());
    expect(apollo.body["data"]["districts"]).toContain("Ibombo");
  });

  it("runs the exact text of a trusted document too", async () => {
    const response = await send({ query: districtsDoc }, passportHeaders());
    expect(response.body["data"]["districts"]).toContain("Ibombo");
  });

  it("takes documentId from a GET query string", async () => {
    const response = await system.gateway.yoga.fetch(`http://gateway.test/graphql?documentId=${sha256(districtsDoc)}`, {
      method: "GET",
      headers: { accept: "application/json", ...passportHeaders() },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { districts: string[] } }).data.districts).toContain("Ibombo");
  });

  it("answers an unknown id with NOT_FOUND naming it, calling nothing", async () => {
    const unknown = sha256("no such document");
    for (const body of [{ documentId: unknown }, { extensions: { persistedQuery: { version: 1, sha256Hash: unknown } } }]) {
      const response = await send(body, passportHeaders());
      expect(response.status).toBe(404);
      expect(response.body["errors"][0].extensions.code).toBe("NOT_FOUND");
      expect(response.body["errors"][0].message).toBe(`No trusted document has the id "${unknown}"`);
      expect(response.upstream).toBe(0);
    }
  });

  it("refuses a request with neither query nor id, and one with both", async () => {
    const neither = await send({ variables: {} }, passportHeaders());
    expect(neither.status).toBe(400);
    expect(neither.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
    const both = await send({ query: districtsDoc, documentId: sha256(districtsDoc) }, passportHeaders());
    expect(both.status).toBe(400);
    expect(both.body["errors"][0].message).toMatch(/either a query or a documentId/);
    expect(neither.upstream + both.upstream).toBe(0);
  });

  it("still applies every limit to a trusted document", async () => {
    const response = await send({ documentId: sha256(aliasFlood) }, passportHeaders());
    expect(response.status).toBe(400);
    expect(response.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
    expect(response.body["errors"][0].message).toMatch(/alias/i);
    expect(response.upstream).toBe(0);
  });

  it("still applies the access plugin to a trusted document: consent first", async () => {
    const response = await send({ documentId: sha256(personDoc), variables: { nic: "199012345678" } }, passportHeaders());
    expect(response.status).toBe(403);
    expect(response.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
    expect(response.upstream).toBe(0);
  });

  it("leaves a consumer that is not held free to send any query, or a trusted document", async () => {
    const arbitrary = await send({ query: "{ districts }" }, benefitsHeaders());
    expect(arbitrary.body["data"]["districts"]).toContain("Ibombo");
    const byId = await send({ documentId: sha256(districtsDoc) }, benefitsHeaders());
    expect(byId.body["data"]["districts"]).toContain("Ibombo");
  });
});
