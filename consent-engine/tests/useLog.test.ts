/**
 * "How my consents were used" over HTTP (issue 18 item 6): per consent, the permitted reads the gateway's audit trail
 * records with its id, and the last one — read through a real HTTP stand-in of the audit API, only ever about the
 * signed-in citizen; other decisions and other consents' reads are not counted; a trail longer than the page reads
 * gives lower bounds, said so; a failing trail a polite 503 without its words.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditReader, type CitizenAccess, type ConsentView } from "../src/index.ts";
import { createSessionStore } from "../src/portal/sessions.ts";
import { startAuditStandIn, upstreamSecret, type AuditStandIn } from "./support/auditStandIn.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

const chikondi = "199012345678";
const thandiwe = "200101010011";
let audit: AuditStandIn;
let system: TestSystem;
let address: ConsentView;
let vehicles: ConsentView;
let pending: ConsentView;

const at = (minutesAgo: number) => new Date(Date.parse("2026-11-23T12:00:00.000Z") - minutesAgo * 60_000).toISOString();
const read = (id: string, minutesAgo: number, consentIds: string[], decision = "permit"): CitizenAccess => ({
  id,
  at: at(minutesAgo),
  consumer: "passport-app",
  purpose: "passport-application",
  decision,
  fields: [],
  consentIds,
});

async function granted(citizenId: string, fields: typeof passportRequest.fields): Promise<ConsentView> {
  const opened = (await (await system.api("/v1/consent-requests", { ...passportRequest, citizenId, fields })).json()) as ConsentView;
  return (await (await system.api(`/v1/consent-requests/${opened.consentId}/grant`, { citizenId, durationDays: 7 })).json()) as ConsentView;
}

async function view(subject: string): Promise<{ status: number; text: string }> {
  const sessions = createSessionStore({ db: system.db, secure: false });
  const { cookie } = await sessions.create({ user: { name: subject, idToken: "unused", subject, kind: "citizen" } });
  const response = await fetch(`${system.portalUrl}/my/uses`, { headers: { cookie: cookie.split(";")[0] ?? "" }, redirect: "manual" });
  return { status: response.status, text: await response.text() };
}

const row = (text: string, id: string) => text.slice(text.indexOf(`id="u-${id}"`), text.indexOf("</tr>", text.indexOf(`id="u-${id}"`)));

beforeAll(async () => {
  audit = await startAuditStandIn();
  // 5 s (was 1 s): the engine's reads of the audit are expected to succeed, on a loaded CI machine too.
  system = await startSystem({ engine: { auditReader: createAuditReader({ gatewayUrl: audit.url, token: audit.token, timeoutMs: 5000 }) } });
  address = await granted(chikondi, [{ provider: "drp", field: "Person.permanentAddress" }]);
  // A grant for other fields of the same application and purpose (an earlier one is not superseded: it was answered).
  vehicles = await granted(chikondi, [{ provider: "dmt", field: "Person.vehicles" }]);
  pending = (await (await system.api("/v1/consent-requests", { ...passportRequest, citizenId: chikondi })).json()) as ConsentView;
  audit.record(chikondi, read("evt-1", 30, [address.consentId]));
  audit.record(chikondi, read("evt-2", 20, [address.consentId, vehicles.consentId]));
  audit.record(chikondi, read("evt-3", 10, [address.consentId]));
  audit.record(chikondi, read("evt-asked", 5, [address.consentId], "consent_required"));
  audit.record(chikondi, read("evt-refused", 4, [vehicles.consentId], "forbidden"));
  audit.record(thandiwe, read("evt-other", 1, [address.consentId]));
});
afterAll(async () => {
  await system?.close();
  await audit?.close();
});

describe("How my consents were used", () => {
  it("counts each consent's permitted reads and the last one, from the citizen's own records only", async () => {
    audit.requests.length = 0;
    const { status, text } = await view(chikondi);
    expect(status).toBe(200);
    expect(audit.requests.length).toBeGreaterThan(0);
    for (const r of audit.requests) expect(r.nic).toBe(chikondi);
    expect(row(text, address.consentId)).toContain("3 times");
    expect(row(text, address.consentId)).toContain("23 November 2026 at 11:50 UTC");
    expect(row(text, vehicles.consentId)).toContain("1 time");
    expect(row(text, vehicles.consentId)).toContain("23 November 2026 at 11:40 UTC");
    expect(text).toContain("Department of Immigration and Emigration — Passport Application");
    expect(text).toContain("<caption>Uses of each consent you gave</caption>");
    expect(text).not.toContain(`u-${pending.consentId}`);
    expect(text).not.toContain("at least");
    expect(text).toContain('<a href="/my/uses" aria-current="page">How my consents were used</a>');
  });

  it("a consent never used says Never; a citizen with none says so", async () => {
    const fresh = await granted(thandiwe, [{ provider: "registry", field: "Person.fullName" }]);
    const { text } = await view(thandiwe);
    expect(row(text, fresh.consentId)).toContain("Never");
    expect((await view("196806300456")).text).toContain("You have not given any consent yet.");
  });

  it("reads at most 1000 records a view and then says the counts are lower bounds", async () => {
    const citizen = "198503150123";
    const many = await granted(citizen, [{ provider: "drp", field: "Person.otherNames" }]);
    for (let i = 0; i < 1100; i++) audit.record(citizen, read(`evt-m${String(i).padStart(4, "0")}`, i / 100, [many.consentId]));
    audit.requests.length = 0;
    const { text } = await view(citizen);
    expect(audit.requests).toHaveLength(5);
    expect(row(text, many.consentId)).toContain("at least 1,000 times");
    expect(text).toContain("Counted from your latest 1,000 records");
  });

  it("a failing audit trail gives a polite 503, never its words", async () => {
    audit.mode = "error";
    try {
      const { status, text } = await view(chikondi);
      expect(status).toBe(503);
      expect(text).toContain("We cannot count the uses right now");
      expect(text).not.toContain(upstreamSecret);
    } finally {
      audit.mode = "normal";
    }
  });
});
