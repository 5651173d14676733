/**
 * Consent receipts (issue 18 item 5) over real HTTP: the signed-in citizen downloads an ISO/IEC TS 27560 record in
 * JSON-LD for their own consent; a real JSON-LD processor (jsonld.js) expands it in safe mode against the context the
 * portal publishes (fetched over HTTP: a term the context does not define, or an invalid IRI, fails the expansion),
 * and the RDF it yields says what the record must: the record, the PII principal, the controller and recipient, the
 * purpose, the data categories, the processing, the retention, the events with times and states, how to withdraw.
 * The printable page says the same; someone else's consent has no receipt for them.
 */
import jsonld, { type Options } from "jsonld";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

const citizen = passportRequest.citizenId;
const dpv = "https://w3id.org/dpv#";
const dct = "http://purl.org/dc/terms/";
let system: TestSystem;
let consent: ConsentView;

async function as(subject: string, path: string): Promise<Response> {
  const sessions = createSessionStore({ db: system.db, secure: false });
  const { cookie } = await sessions.create({ user: { name: subject, idToken: "unused", subject, kind: "citizen" } });
  return fetch(`${system.portalUrl}${path}`, { headers: { cookie: cookie.split(";")[0] ?? "" }, redirect: "manual" });
}

/** Loads only the portal's published context, over HTTP; anything else is refused (no network beyond the portal). */
type RemoteDocument = Awaited<ReturnType<NonNullable<Options.Expand["documentLoader"]>>>;
const documentLoader = async (url: string): Promise<RemoteDocument> => {
  if (!url.startsWith(system.portalUrl)) throw new Error(`refusing to load ${url}`);
  const response = await fetch(url);
  expect(response.headers.get("content-type")).toContain("application/ld+json");
  return { documentUrl: url, document: (await response.json()) as RemoteDocument["document"] };
};
/** Safe mode: a term the context does not define, or a value that is no valid IRI, is an error rather than dropped. */
const processing = { documentLoader, safe: true };

beforeAll(async () => {
  system = await startSystem();
  const terms = { frequency: { unit: "DAY", value: 3 }, dataLife: { unit: "MONTH", value: 6 } };
  const opened = (await (await system.api("/v1/consent-requests", { ...passportRequest, terms })).json()) as ConsentView;
  await system.api(`/v1/consent-requests/${opened.consentId}/grant`, { citizenId: citizen, durationDays: 7 });
  await system.api(`/v1/consents/${opened.consentId}/pause`, { citizenId: citizen });
  await system.api(`/v1/consents/${opened.consentId}/revoke`, { citizenId: citizen });
  consent = (await (await system.api(`/v1/consents/${opened.consentId}`)).json()) as ConsentView;
});
afterAll(async () => system?.close());

describe("consent receipts", () => {
  it("downloads a JSON-LD record that a JSON-LD processor expands, in safe mode, against the published context", async () => {
    const response = await as(citizen, `/my/consents/${consent.consentId}/receipt.jsonld`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/ld+json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="consent-receipt-${consent.consentId}.jsonld"`);
    const receipt = (await response.json()) as Record<string, unknown>;
    expect(receipt["@context"]).toBe(`${system.portalUrl}/contexts/consent-receipt.jsonld`);

    const expanded = await jsonld.expand(receipt, processing);
    expect(expanded).toHaveLength(1);
    const rdf = await jsonld.toRDF(receipt, { ...processing, format: "application/n-quads" });
    expect(typeof rdf).toBe("string");
    const quads = typeof rdf === "string" ? rdf : "";
    const record = `<${system.portalUrl}/consent/${consent.consentId}#record>`;
    const has = (triple: string) => expect(quads).toContain(triple);
    has(`${record} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${dpv}ConsentRecord>`);
    has(`${record} <${dpv}hasIdentifier> "${consent.consentId}"`);
    has(`${record} <${dpv}hasDataSubject> <urn:ndx:citizen:${citizen}>`);
    has(`<urn:ndx:citizen:${citizen}> <${dpv}hasIdentifier> "${citizen}"`);
    has(`${record} <${dpv}hasDataController> <urn:ndx:application:passport-app>`);
    has(`${record} <${dpv}hasRecipient> <urn:ndx:application:passport-app>`);
    has(`<urn:ndx:application:passport-app> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${dpv}DataController>`);
    has(`<urn:ndx:application:passport-app> <${dpv}hasName> "${consent.consumerName}"`);
    has(`${record} <${dpv}hasConsentStatus> <${dpv}ConsentWithdrawn>`);
    has(`<${dpv}hasLegalBasis> <${dpv}Consent>`);
    has(`<${dpv}hasProcessing> <${dpv}Use>`);
    has(`<${dpv}hasProcessing> <${dpv}Store>`);
    has(`<${dpv}hasDuration> "P6M"^^<http://www.w3.org/2001/XMLSchema#duration>`);
    has(`<${dct}description> "To process your passport application"`);
    has(`${record} <${system.portalUrl}/vocab/consent#withdrawalMethod> <${system.portalUrl}/my/consents>`);
    for (const f of passportRequest.fields) has(`<${dpv}hasIdentifier> "${f.provider}:${f.field}"`);
    expect(quads.match(new RegExp(`<${dpv}hasPersonalData>`, "g"))).toHaveLength(passportRequest.fields.length);
    // The events, in order, with their times and states.
    const events = receipt["events"] as { type: string; date: string }[];
    expect(events.map((e) => e.type)).toEqual(["ConsentRequested", "ConsentGiven", "ConsentGiven", "ConsentWithdrawn"]);
    expect(events.map((e) => e.date)).toEqual(consent.history?.map((h) => h.at));
    has(`<${dpv}ConsentRequested>`);
    has(`"${consent.history?.[0]?.at}"^^<http://www.w3.org/2001/XMLSchema#dateTime>`);
  });

  it("a receipt with a term its context does not define fails the safe expansion", async () => {
    const receipt = (await (await as(citizen, `/my/consents/${consent.consentId}/receipt.jsonld`)).json()) as Record<string, unknown>;
    await expect(jsonld.expand({ ...receipt, unheardOf: "x" }, processing)).rejects.toThrow(/safe mode/i);
  });

  it("the printable page says the same in words; another citizen gets no receipt", async () => {
    const page = await as(citizen, `/my/consents/${consent.consentId}/receipt`);
    expect(page.status).toBe(200);
    const text = await page.text();
    for (const words of ["Consent receipt", consent.consentId, "ISO/IEC TS 27560:2023", "To process your passport application", "Up to 3 times a day", "At most 6 months after reading it", "You withdrew it", "You paused it", "Permanent address", "My consents"]) {
      expect(text).toContain(words);
    }
    expect((await as("198503150123", `/my/consents/${consent.consentId}/receipt`)).status).toBe(404);
    expect((await as("198503150123", `/my/consents/${consent.consentId}/receipt.jsonld`)).status).toBe(404);
    expect((await as(citizen, "/my/consents")).status).toBe(200);
    expect(await (await as(citizen, "/my/consents")).text()).toContain(`/my/consents/${consent.consentId}/receipt`);
  });
});
