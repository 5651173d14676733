/**
 * Guardian consent (issue 18 item 9) against the real registry over HTTP (tests/support/realRegistry.ts): the
 * households register names Josephine Kalumba Phiri guardian of her daughter Chipo (born 2014); Samuel Bwalya Tembo
 * lives in the same household and is not her guardian. Only Josephine answers for Chipo — recorded with Chipo as the
 * principal and Josephine as the one who decided, in the events, the signed artefact and the receipt — and everyone
 * else is refused with the answer any other person's consent gets; the registry down or slow refuses (nothing
 * recorded); a guardianship removed in the register stops at once; at 18 Chipo answers for herself. A consent of the
 * guardian's own never covers the child, nor the other way round.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import jsonld, { type Options } from "jsonld";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ConsentView } from "../src/index.ts";
import { GuardianshipUnavailableError, createGuardianshipClient, parseGuardianship } from "../src/guardianship/guardianshipClient.ts";
import { consentReceipt } from "../src/receipt/consentReceipt.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { households, startRealRegistry, type RealRegistry } from "./support/realRegistry.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

type RemoteDocument = Awaited<ReturnType<NonNullable<Options.Expand["documentLoader"]>>>;
const chipo = "201405090231";
const josephine = "198503150123";
const samuel = "197712240099";
const chikondi = "199012345678";
const basis = "guardian per household HH-IB-000412";
const forChipo = { ...passportRequest, citizenId: chipo };

let registry: RealRegistry;
let system: TestSystem;
/** The engine's clock runs this far ahead (to see Chipo at 18). */
let aheadMs = 0;
const engineTimeoutMs = 5000;

beforeAll(async () => {
  registry = await startRealRegistry();
  // The engine's lookups must succeed on a loaded CI machine (the registry answers over GraphQL and PGlite): 5 s, where
  // 500 ms could lapse; the test of a registry too slow delays it far beyond that.
  system = await startSystem({ engine: { now: () => new Date(Date.now() + aheadMs), guardianship: { source: registry.client({ timeoutMs: engineTimeoutMs }) } } });
});
afterAll(async () => {
  await system?.close();
  await registry?.close();
});

async function open(request: typeof passportRequest): Promise<ConsentView> {
  const response = await system.api("/v1/consent-requests", request);
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as ConsentView;
}
const consent = async (id: string) => (await (await system.api(`/v1/consents/${id}`)).json()) as ConsentView;
const check = async (request: typeof passportRequest) => (await (await system.api("/v1/consents/check", request)).json()) as CheckResult;
const grantAs = (acting: { citizenId: string; onBehalfOf?: string }, id: string) => system.engine.service.grant(id, { ...acting, via: "portal", durationDays: 7 });
const refusal = async (action: Promise<unknown>) => action.then(() => "done", (error: unknown) => error as { code?: string; status?: number; message?: string });

async function as(subject: string, path: string, init: RequestInit = {}): Promise<Response> {
  const sessions = createSessionStore({ db: system.db, secure: false });
  const { cookie } = await sessions.create({ user: { name: subject, idToken: "unused", subject, kind: "citizen" } });
  const headers = new Headers(init.headers);
  headers.set("cookie", cookie.split(";")[0] ?? "");
  if (init.method === "POST") headers.set("origin", system.portalUrl);
  return fetch(`${system.portalUrl}${path}`, { ...init, headers, redirect: "manual" });
}
const form = (fields: Record<string, string>): RequestInit => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

describe("the guardianship client, against the real registry over HTTP", () => {
  it("learns a minor's date of birth and guardian, and a guardian's wards", async () => {
    const client = registry.client();
    expect(await client.lookup(chipo)).toEqual({ nic: chipo, fullName: "Chipo Natasha Phiri", dateOfBirth: "2014-05-09", guardians: [{ nic: josephine, householdNumber: "HH-IB-000412" }], wards: [] });
    expect((await client.lookup(josephine)).wards).toEqual([{ nic: chipo, fullName: "Chipo Natasha Phiri", dateOfBirth: "2014-05-09", householdNumber: "HH-IB-000412" }]);
    expect(await client.lookup(samuel)).toMatchObject({ guardians: [], wards: [] });
  });

  it("fails closed: a wrong credential, a registry that is down or too slow, an answer about someone else", async () => {
    await expect(registry.client({ token: "not-the-guardianship-token-000" }).lookup(chipo)).rejects.toThrow(/answered HTTP 401/);
    await expect(createGuardianshipClient({ registryUrl: "http://127.0.0.1:9", token: "x" }).lookup(chipo)).rejects.toThrow(GuardianshipUnavailableError);
    registry.slow(1500);
    try {
      await expect(registry.client({ timeoutMs: 200 }).lookup(chipo)).rejects.toThrow(/no answer within 200 ms/);
    } finally {
      registry.slow(0);
    }
    expect(() => parseGuardianship({ nic: josephine, fullName: null, dateOfBirth: null, guardians: [], wards: [] }, chipo)).toThrow(/about another person/);
    expect(() => parseGuardianship({ nic: chipo, fullName: null, dateOfBirth: "09/05/2014", guardians: [], wards: [] }, chipo)).toThrow(/date of birth/);
  });
});

describe("guardian consent", () => {
  it("refuses everyone but the guardian, with the answer another person's consent gets, and records nothing", async () => {
    const request = await open(forChipo);
    const id = request.consentId;
    expect(await refusal(grantAs({ citizenId: chipo }, id))).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/A guardian answers for this person/) });
    for (const other of [samuel, chikondi]) {
      expect(await refusal(grantAs({ citizenId: other, onBehalfOf: chipo }, id))).toMatchObject({ code: "FORBIDDEN", message: "This consent is about another person" });
      expect(await refusal(grantAs({ citizenId: other }, id))).toMatchObject({ code: "FORBIDDEN", message: "This consent is about another person" });
    }
    // The API names who acts; it has no "on behalf of": the guardian's NIC is another person, the minor's a minor.
    const byApi = await system.api(`/v1/consent-requests/${id}/grant`, { citizenId: josephine, durationDays: 7 });
    expect(byApi.status).toBe(403);
    expect(await byApi.json()).toEqual({ code: "FORBIDDEN", message: "This consent is about another person" });
    expect((await system.api(`/v1/consent-requests/${id}/grant`, { citizenId: chipo, durationDays: 7 })).status).toBe(403);
    // The portal: the page, the form post, for a non-guardian adult of the household and any other citizen.
    for (const other of [samuel, chikondi]) {
      const page = await as(other, `/consent/${id}`);
      expect(page.status).toBe(403);
      expect(await page.text()).not.toContain("Chipo");
      expect((await as(other, `/consent/${id}`, form({ decision: "grant", durationDays: "7", token: "x" }))).status).toBe(403);
    }
    const minorPage = await as(chipo, `/consent/${id}`);
    expect(minorPage.status).toBe(403);
    expect(await minorPage.text()).toContain("A guardian answers for you");
    const after = await consent(id);
    expect(after.status).toBe("PENDING");
    expect(after.history?.map((e) => e.actor)).toEqual(["consumer:passport-app"]);
    expect((await check(forChipo)).status).not.toBe("covered");
  });

  it("lets the guardian answer: the minor is the principal, the guardian the one who decided (events, artefact, receipt)", async () => {
    const page = await as(josephine, `/consent/${(await open(forChipo)).consentId}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("You are answering for Chipo, your child");
    // The heading names whose information it is: the child's, not the guardian's.
    expect(text).toMatch(/<h1>.*asks to see some of Chipo’s information<\/h1>/);
    expect(text).not.toContain("some of your information");
    const { consentId: id } = await open(forChipo);
    const granted = await grantAs({ citizenId: josephine, onBehalfOf: chipo }, id);
    expect(granted).toMatchObject({ status: "ACTIVE", citizenId: chipo });
    const stored = await consent(id);
    expect(stored.decidedBy).toEqual({ nic: josephine, role: "guardian", basis });
    expect(stored.history?.at(-1)).toMatchObject({ actor: `guardian:${josephine}`, from: "PENDING", to: "ACTIVE" });
    const events = await system.db.query<{ detail: Record<string, unknown> }>("SELECT detail FROM consent_events WHERE consent_id = $1 AND to_status = 'ACTIVE'", [id]);
    expect(events.rows[0]?.detail).toMatchObject({ via: "portal", onBehalfOf: chipo, role: "guardian", basis });
    expect((await check(forChipo)).status).toBe("covered");

    // The signed artefact: verified with the published JWKS alone.
    const { artefact } = (await (await system.api(`/v1/consents/${id}/artefact`)).json()) as { artefact: string };
    const jwks = createLocalJWKSet((await (await fetch(`${system.portalUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
    const payload = JSON.parse(new TextDecoder().decode((await compactVerify(artefact, jwks)).payload)) as Record<string, unknown>;
    expect(payload).toMatchObject({ citizenId: chipo, status: "ACTIVE", decidedBy: { nic: josephine, role: "guardian", basis } });

    // The receipt (ISO/IEC TS 27560 in JSON-LD): the minor the PII principal, the guardian the one who gave consent.
    const download = await as(josephine, `/my/consents/${id}/receipt.jsonld`);
    expect(download.status).toBe(200);
    const receipt = (await download.json()) as Record<string, unknown>;
    // Only the portal's published context is loaded (over HTTP); nothing else.
    const documentLoader = async (url: string): Promise<RemoteDocument> => {
      if (!url.startsWith(system.portalUrl)) throw new Error(`refusing to load ${url}`);
      return { documentUrl: url, document: (await (await fetch(url)).json()) as RemoteDocument["document"] };
    };
    const processing = { documentLoader, safe: true };
    const rdf = await jsonld.toRDF(receipt, { ...processing, format: "application/n-quads" });
    const quads = typeof rdf === "string" ? rdf : "";
    const dpv = "https://w3id.org/dpv#";
    expect(quads).toContain(`<${dpv}hasDataSubject> <urn:ndx:citizen:${chipo}>`);
    expect(quads).toContain(`<${dpv}isIndicatedBy> <urn:ndx:citizen:${josephine}>`);
    expect(quads).toContain(`<urn:ndx:citizen:${josephine}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${dpv}GuardianOfDataSubject>`);
    expect(quads).toContain(`"${basis}"`);
    expect(consentReceipt(stored, system.engine.service.catalogue, system.portalUrl, new Date())["dataSubject"]).toMatchObject({ identifier: chipo });
    // Someone else (the household's other adult) has no receipt of it.
    expect((await as(samuel, `/my/consents/${id}/receipt.jsonld`)).status).toBe(404);
  });

  it("shows the guardian the child's requests and consents, labelled, and lets them pause and revoke; nobody else", async () => {
    const { consentId: pending } = await open({ ...forChipo, purpose: "passport-application", fields: passportRequest.fields.slice(0, 2) });
    const list = await (await as(josephine, "/my/consents")).text();
    expect(list).toContain("For Chipo, your child");
    expect(list).toContain(`/consent/${pending}`);
    expect(await (await as(samuel, "/my/consents")).text()).not.toContain("Chipo");
    const { consentId: id } = await open({ ...forChipo, purpose: "passport-application" });
    await grantAs({ citizenId: josephine, onBehalfOf: chipo }, id);
    expect(await refusal(system.engine.service.pause(id, { citizenId: samuel, onBehalfOf: chipo, via: "portal" }))).toMatchObject({ code: "FORBIDDEN" });
    await system.engine.service.pause(id, { citizenId: josephine, onBehalfOf: chipo, via: "portal" });
    expect((await consent(id)).status).toBe("PAUSED");
    // Resuming opens data again: never the minor herself.
    expect(await refusal(system.engine.service.resume(id, { citizenId: chipo, via: "portal" }))).toMatchObject({ code: "FORBIDDEN" });
    await system.engine.service.resume(id, { citizenId: josephine, onBehalfOf: chipo, via: "portal" });
    await system.engine.service.revoke(id, { citizenId: josephine, onBehalfOf: chipo, via: "portal" });
    expect((await consent(id)).history?.slice(-3).map((e) => e.actor)).toEqual([`guardian:${josephine}`, `guardian:${josephine}`, `guardian:${josephine}`]);
  });

  it("keeps consents apart: the guardian's own consent does not cover the child, nor the child's the guardian", async () => {
    // Another application and purpose than the tests above, so that nothing granted there counts here.
    const benefits = { consumerId: "benefits-app", purpose: "benefit-eligibility" };
    const guardians = { ...benefits, citizenId: josephine, fields: [{ provider: "drp", field: "Person.permanentAddress" }] };
    const childs = { ...benefits, citizenId: chipo, fields: [{ provider: "drp", field: "Person.otherNames" }] };
    await grantAs({ citizenId: josephine }, (await open(guardians)).consentId);
    expect((await check(guardians)).status).toBe("covered");
    expect((await check({ ...guardians, citizenId: chipo })).status).not.toBe("covered");
    await grantAs({ citizenId: josephine, onBehalfOf: chipo }, (await open(childs)).consentId);
    expect((await check(childs)).status).toBe("covered");
    expect((await check({ ...childs, citizenId: josephine })).status).not.toBe("covered");
    // The child's consent for one field opens no other of her fields, nor another purpose.
    expect((await check({ ...childs, fields: guardians.fields })).status).not.toBe("covered");
    expect((await check({ ...childs, consumerId: "passport-app", purpose: "passport-application" })).status).not.toBe("covered");
  });

  it("refuses the guardian while the registry does not answer in time, recording nothing", async () => {
    const { consentId: id } = await open({ ...forChipo, fields: passportRequest.fields.slice(1, 3) });
    registry.slow(engineTimeoutMs * 6);
    try {
      expect(await refusal(grantAs({ citizenId: josephine, onBehalfOf: chipo }, id))).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", status: 503 });
      const page = await as(josephine, `/consent/${id}`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("We could not confirm with the registry who may answer for this person");
    } finally {
      registry.slow(0);
    }
    expect((await consent(id)).status).toBe("PENDING");
    expect((await consent(id)).history).toHaveLength(1);
  });

  it("stops the guardian at once when the register no longer names them, and at 18 the child answers for herself", async () => {
    const { consentId: id } = await open({ ...forChipo, fields: passportRequest.fields.slice(2, 4) });
    await grantAs({ citizenId: josephine, onBehalfOf: chipo }, id);
    const members = households.households[0]?.members.map(({ nic, relationship }) => ({ nic, relationship }));
    await registry.change({ register: "households", operation: "UPDATE", recordId: "HH-IB-000412", baseVersion: 1, payload: { members } });
    expect(await refusal(system.engine.service.revoke(id, { citizenId: josephine, onBehalfOf: chipo, via: "portal" }))).toMatchObject({ code: "FORBIDDEN", message: "This consent is about another person" });
    expect(await (await as(josephine, "/my/consents")).text()).not.toContain("For Chipo");
    const restored = households.households[0]?.members;
    await registry.change({ register: "households", operation: "UPDATE", recordId: "HH-IB-000412", baseVersion: 2, payload: { members: restored } });

    // 2032-05-09: Chipo is 18. Her guardian no longer answers for her; she does.
    aheadMs = Date.parse("2032-05-09T08:00:00Z") - Date.now();
    try {
      const { consentId: adult } = await open({ ...forChipo, fields: passportRequest.fields.slice(0, 1) });
      expect(await refusal(grantAs({ citizenId: josephine, onBehalfOf: chipo }, adult))).toMatchObject({ code: "FORBIDDEN", message: "This consent is about another person" });
      expect(await grantAs({ citizenId: chipo }, adult)).toMatchObject({ status: "ACTIVE" });
      expect((await consent(adult)).decidedBy).toEqual({ nic: chipo, role: "principal", basis: null });
    } finally {
      aheadMs = 0;
    }
  });
});
