/**
 * "Who saw my data" over HTTP: the portal page reading a real HTTP stand-in for the gateway's audit API. Labels, not
 * ids; only the signed-in citizen's records are ever asked for; records not about an identified application are left
 * out; pagination with `before`; staff get a "for citizens" page; a gateway that is down, failing, slow or answering
 * about someone else gives a polite notice and never its own words.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditUnavailableError, createAuditReader, type CitizenAccess } from "../src/index.ts";
import { createSessionStore, type SessionUser } from "../src/portal/sessions.ts";
import { evidenceBytes, startAuditStandIn, upstreamSecret, type AuditStandIn } from "./support/auditStandIn.ts";
import { startSystem, type TestSystem } from "./support/system.ts";

const chikondi = "199012345678";
const josephine = "198503150123";
const thandiwe = "200101010011";
const samuel = "197712240099";
const ruth = "196806300456";
const mwila = "200202020022";

let audit: AuditStandIn;
let system: TestSystem;

const at = (minutesAgo: number) => new Date(Date.parse("2026-11-23T12:00:00.000Z") - minutesAgo * 60_000).toISOString();
const access = (id: string, minutesAgo: number, rest: Partial<CitizenAccess> = {}): CitizenAccess => ({
  id,
  at: at(minutesAgo),
  consumer: "passport-app",
  purpose: "passport-application",
  decision: "permit",
  fields: [],
  consentIds: [],
  ...rest,
});

beforeAll(async () => {
  audit = await startAuditStandIn();
  // 5 s (was 1 s): the engine's reads of the audit are expected to succeed, on a loaded CI machine too.
  system = await startSystem({ engine: { auditReader: createAuditReader({ gatewayUrl: audit.url, token: audit.token, timeoutMs: 5000 }) } });

  audit.record(chikondi, access("evt-permit", 10, {
    fields: [
      { provider: "registry", field: "Person.fullName" },
      { provider: "drp", field: "Person.permanentAddress" },
      { provider: "registry", field: "Person.dateOfBirth" },
    ],
    consentIds: ["cns_x"],
  }));
  audit.record(chikondi, access("evt-asked", 20, { decision: "consent_required", fields: [{ provider: "registry", field: "Person.fullName" }, { provider: "drp", field: "Person.permanentAddress" }] }));
  audit.record(chikondi, access("evt-forbidden", 30, { consumer: "benefits-app", purpose: "benefit-eligibility", decision: "forbidden", fields: [{ provider: "dmt", field: "Person.vehicles" }] }));
  audit.record(chikondi, access("evt-unknown-app", 40, { consumer: "retired-app", purpose: "archive-review", fields: [{ provider: "drp", field: "Person.profession" }] }));
  // Written before the gateway refused free text in X-Purpose: shown as unregistered, never as it was sent.
  audit.record(chikondi, access("evt-outage", 50, { purpose: "URGENT, call 0999 123 456", decision: "unavailable", fields: [{ provider: "registry", field: "Person.nic" }] }));
  audit.record(chikondi, access("evt-unauthenticated", 5, { consumer: null, purpose: null, decision: "unauthenticated" }));
  audit.record(chikondi, access("evt-bad-request", 6, { decision: "bad_request" }));
  audit.record(josephine, access("evt-josephine", 1, { consumer: "benefits-app", purpose: "benefit-eligibility", fields: [{ provider: "drp", field: "Person.otherNames" }] }));
  // Thandiwe: 45 shown records, one a minute, with records that are not shown in between.
  for (let i = 0; i < 45; i++) audit.record(thandiwe, access(`evt-t${String(i).padStart(2, "0")}`, i + 1));
  for (let i = 0; i < 10; i++) audit.record(thandiwe, access(`evt-t-bad${i}`, i * 3 + 1.5, { decision: "bad_request" }));
  // Samuel and Ruth: many records that are left out, newer than the ones shown.
  for (let i = 0; i < 120; i++) audit.record(samuel, access(`evt-s-bad${i}`, i / 10, { decision: "bad_request" }));
  for (let i = 0; i < 3; i++) audit.record(samuel, access(`evt-s${i}`, 100 + i));
  for (let i = 0; i < 200; i++) audit.record(ruth, access(`evt-r-bad${i}`, i / 10, { consumer: null, decision: "unauthenticated" }));
  audit.record(ruth, access("evt-r", 100));
  // Mwila: 25 records in the same millisecond, across a page boundary.
  for (let i = 0; i < 25; i++) audit.record(mwila, access(`evt-m${String(i).padStart(2, "0")}`, 2));
});
afterAll(async () => {
  await system?.close();
  await audit?.close();
});

/** A signed-in session, as the OIDC callback would have stored it; the cookie for requests. */
async function signedInAs(user: Partial<SessionUser> & { subject: string }): Promise<string> {
  const sessions = createSessionStore({ db: system.db, secure: false });
  const { cookie } = await sessions.create({ user: { name: user.subject, idToken: "unused", ...user } });
  return cookie.split(";")[0] ?? "";
}

async function view(cookie: string, query = ""): Promise<{ status: number; text: string; location: string | null }> {
  const response = await fetch(`${system.portalUrl}/my/accesses${query}`, { headers: { cookie }, redirect: "manual" });
  return { status: response.status, text: await response.text(), location: response.headers.get("location") };
}

const shownIds = (page: string) => [...page.matchAll(/<article aria-labelledby="a-([^"]+)"/g)].map((m) => m[1]);

describe("Who saw my data", () => {
  it("lists the citizen's own records, newest first, in plain language with labels from the catalogue", async () => {
    const cookie = await signedInAs({ subject: chikondi, name: "Chikondi Emmanuel Mulenga", kind: "citizen" });
    audit.requests.length = 0;
    const { status, text } = await view(cookie);
    expect(status).toBe(200);

    expect(audit.requests.length).toBeGreaterThan(0);
    for (const r of audit.requests) {
      expect(r.path).toBe(`/audit/citizens/${chikondi}/accesses`);
      expect(r.authorized).toBe(true);
    }
    expect(shownIds(text)).toEqual(["evt-permit", "evt-asked", "evt-forbidden", "evt-unknown-app", "evt-outage"]);
    for (const label of [
      "Who saw my data",
      "Department of Immigration and Emigration — Passport Application",
      "Social Welfare Department — Benefit Eligibility",
      "To process your passport application",
      "To check whether you are eligible for social benefits",
      "From the Registrar General&#39;s Department (civil registry)",
      "From the Department of Registration of Persons",
      "From the Department of Motor Traffic",
      "Full name",
      "Date of birth",
      "Permanent address",
      "Vehicles you own",
      "Read your information",
      "Asked for your consent",
      "Refused by the rules",
      "Not answered: a service was unavailable",
      "A purpose that is not registered with the exchange",
      "National identity card number",
      "23 November 2026 at 11:50 UTC",
      // Not registered here: its id, as the fallback.
      "retired-app",
    ]) {
      expect(text).toContain(label);
    }
    for (const raw of ["archive-review", "URGENT", "Person.permanentAddress", "Person.fullName", "Person.vehicles", "evt-unauthenticated", "evt-bad-request", "evt-josephine", "Other names"]) {
      expect(text).not.toContain(raw);
    }
    // Fields grouped by agency: the registry's two fields under one heading.
    const permit = text.slice(text.indexOf('id="a-evt-permit"'), text.indexOf('id="a-evt-asked"'));
    expect(permit.match(/<h3>From the Registrar General/g)?.length).toBe(1);
    expect(text).toContain('<a href="/my/accesses" aria-current="page">Who saw my data</a>');
    expect(text).not.toContain(">Older<");
  });

  it("offers the citizen's own evidence package as a download, fetched from the gateway for them alone", async () => {
    const cookie = await signedInAs({ subject: chikondi, kind: "citizen" });
    expect((await view(cookie)).text).toContain('<a href="/my/accesses/evidence.zip" download>Download the evidence of these records</a>');
    audit.requests.length = 0;
    const response = await fetch(`${system.portalUrl}/my/accesses/evidence.zip`, { headers: { cookie }, redirect: "manual" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="who-saw-my-data-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(evidenceBytes(chikondi));
    expect(audit.requests).toEqual([{ path: `/audit/citizens/${chikondi}/evidence`, nic: chikondi, limit: null, before: null, authorized: true }]);
    const staff = await signedInAs({ subject: "registrar1", kind: "staff" });
    expect((await fetch(`${system.portalUrl}/my/accesses/evidence.zip`, { headers: { cookie: staff } })).status).toBe(403);
    audit.mode = "error";
    try {
      const failed = await fetch(`${system.portalUrl}/my/accesses/evidence.zip`, { headers: { cookie } });
      expect(failed.status).toBe(503);
      expect(await failed.text()).not.toContain("UPSTREAM-INTERNAL");
    } finally {
      audit.mode = "normal";
    }
  });

  it("pages with Older (before = the last record shown), 20 at a time, never repeating or skipping one", async () => {
    const cookie = await signedInAs({ subject: thandiwe, kind: "citizen" });
    audit.requests.length = 0;
    const seen: string[] = [];
    let query = "";
    for (let pageNo = 0; pageNo < 3; pageNo++) {
      const { status, text } = await view(cookie, query);
      expect(status).toBe(200);
      const ids = shownIds(text);
      seen.push(...ids.filter((id) => id !== undefined));
      const older = /<a href="(\/my\/accesses\?before=[^"]+)" rel="next">Older<\/a>/.exec(text)?.[1];
      if (pageNo < 2) {
        expect(ids).toHaveLength(20);
        expect(older).toBeDefined();
        const before = new URLSearchParams((older ?? "").split("?")[1]).get("before");
        const last = 20 * (pageNo + 1) - 1;
        expect(before).toBe(`${at(last + 1)}~evt-t${String(last).padStart(2, "0")}`);
        expect(text.includes('<a href="/my/accesses">Newest</a>')).toBe(pageNo > 0);
        query = (older ?? "").replace("/my/accesses", "").replaceAll("&amp;", "&");
      } else {
        expect(ids).toHaveLength(5);
        expect(older).toBeUndefined();
      }
    }
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => `evt-t${String(i).padStart(2, "0")}`));
    expect(audit.requests.every((r) => r.nic === thandiwe && r.authorized)).toBe(true);
    expect(audit.requests.slice(1).map((r) => r.before)).toEqual([`${at(20)}~evt-t19`, `${at(40)}~evt-t39`]);
  });

  it("pages past records that share one millisecond without repeating or skipping one", async () => {
    const cookie = await signedInAs({ subject: mwila, kind: "citizen" });
    const first = await view(cookie);
    const older = /<a href="\/my\/accesses(\?before=[^"]+)" rel="next">Older<\/a>/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    const second = await view(cookie, (older ?? "").replaceAll("&amp;", "&"));
    const seen = [...shownIds(first.text), ...shownIds(second.text)];
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `evt-m${String(24 - i).padStart(2, "0")}`));
  });

  it("reads past records that are left out, a few batches per page at most", async () => {
    audit.requests.length = 0;
    const first = await view(await signedInAs({ subject: samuel, kind: "citizen" }));
    expect(shownIds(first.text)).toEqual(["evt-s0", "evt-s1", "evt-s2"]);
    expect(first.text).not.toContain(">Older<");
    expect(audit.requests.map((r) => r.before)).toEqual([null, `${at(4.9)}~evt-s-bad49`, `${at(9.9)}~evt-s-bad99`]);

    audit.requests.length = 0;
    const cookie = await signedInAs({ subject: ruth, kind: "citizen" });
    const empty = await view(cookie);
    expect(shownIds(empty.text)).toEqual([]);
    expect(empty.text).toContain("No records to show on this page");
    expect(audit.requests).toHaveLength(3);
    const older = /<a href="\/my\/accesses(\?before=[^"]+)" rel="next">Older<\/a>/.exec(empty.text)?.[1];
    expect(new URLSearchParams(older).get("before")).toBe(`${at(14.9)}~evt-r-bad149`);
    const next = await view(cookie, older);
    expect(shownIds(next.text)).toEqual(["evt-r"]);
  });

  it("refuses a malformed before without asking the gateway", async () => {
    const cookie = await signedInAs({ subject: chikondi, kind: "citizen" });
    audit.requests.length = 0;
    for (const bad of ["yesterday", "2026-13-45T00:00:00Z", "2026-11-23", "2026-11-23T10:00:00Z~bad id", "2026-11-23T10:00:00Z~a~b", "~evt-1"]) {
      const { status, text } = await view(cookie, `?before=${encodeURIComponent(bad)}`);
      expect(status).toBe(400);
      expect(text).toContain("This link is not valid");
    }
    expect(audit.requests).toEqual([]);
  });

  it("tells a staff account that the page is for citizens, without asking the gateway", async () => {
    audit.requests.length = 0;
    for (const user of [
      { subject: "registrar.maker", kind: "staff" as const },
      // A provider without a kind claim: a subject that is not a NIC is not a citizen.
      { subject: "registrar.checker" },
    ]) {
      const { status, text } = await view(await signedInAs(user));
      expect(status).toBe(403);
      expect(text).toContain("Who saw my data is for citizens");
      expect(text).toContain("a staff account");
    }
    expect(audit.requests).toEqual([]);
  });

  it("sends a visitor without a session to sign in first", async () => {
    const { status, location } = await view("");
    expect(status).toBe(303);
    expect(new URL(location ?? "").origin).toBe(new URL(system.idp.issuer).origin);
    expect(audit.requests.some((r) => r.nic === "" || r.path.includes("undefined"))).toBe(false);
  });

  it("shows a polite notice, never the gateway's words, when it fails or answers about someone else", async () => {
    const cookie = await signedInAs({ subject: chikondi, kind: "citizen" });
    for (const mode of ["error", "wrong-citizen"] as const) {
      audit.mode = mode;
      try {
        const { status, text } = await view(cookie);
        expect(status).toBe(503);
        expect(text).toContain("We cannot show the records of who saw your information right now");
        expect(text).not.toContain("UPSTREAM-INTERNAL-DETAIL");
        expect(text).not.toContain(upstreamSecret);
        expect(text).not.toContain("Social Welfare Department");
        expect(text).not.toMatch(/at \w+ \(|Error:|HTTP 500/);
      } finally {
        audit.mode = "normal";
      }
    }
  });

  it("the reader: bearer token required, a timeout, an unreachable gateway", async () => {
    const wrongToken = createAuditReader({ gatewayUrl: audit.url, token: "not-the-token-000000000000" });
    await expect(wrongToken.accessesAbout(chikondi, { limit: 5 })).rejects.toThrow(/HTTP 401/);
    expect(audit.requests.at(-1)?.authorized).toBe(false);

    audit.mode = "hang";
    try {
      const slow = createAuditReader({ gatewayUrl: audit.url, token: audit.token, timeoutMs: 200 });
      await expect(slow.accessesAbout(chikondi, { limit: 5 })).rejects.toBeInstanceOf(AuditUnavailableError);
    } finally {
      audit.mode = "normal";
    }

    const reader = createAuditReader({ gatewayUrl: `${audit.url}/`, token: audit.token });
    expect((await reader.accessesAbout(chikondi, { limit: 2 })).map((a) => a.id)).toEqual(["evt-unauthenticated", "evt-bad-request"]);
  });

  it("when the gateway cannot be reached at all, the page says so politely (503)", async () => {
    const cookie = await signedInAs({ subject: chikondi, name: "Chikondi Emmanuel Mulenga", kind: "citizen" });
    await audit.close();
    const { status, text } = await view(cookie);
    expect(status).toBe(503);
    expect(text).toContain("We cannot show the records of who saw your information right now");
    expect(text).toContain("Signed in as Chikondi Emmanuel Mulenga");
    expect(text).not.toMatch(/ECONNREFUSED|fetch failed|TypeError/);
  });
});
