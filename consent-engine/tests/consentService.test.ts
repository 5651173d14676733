/**
 * The consent rules on both storage backends (PGlite always, PostgreSQL when TEST_DATABASE_URL is set): requests,
 * checks, grants adding up, revocation, expiry at check time and by the sweeper, the append-only history, the
 * revision and its announcements. The clock is moved by hand.
 */
import { createLogger, openDb, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ApiError,
  createConsentService,
  createRevisionFeed,
  fixedApplicationRegister,
  loadFieldCatalogue,
  type ConsentService,
  type RevisionEvent,
  type RevisionFeed,
  type ScopeItem,
} from "../src/index.ts";
import { consentDatabasePerTest } from "./support/consentDatabase.ts";
import { passportRequest, seededRegister } from "./support/system.ts";

const logger = createLogger("consent-test", "silent");
const catalogue = loadFieldCatalogue();
const hour = 3_600_000;
const day = 24 * hour;
const address: ScopeItem = { provider: "drp", field: "Person.permanentAddress" };
const vehicles: ScopeItem = { provider: "dmt", field: "Person.vehicles" };
const fullName: ScopeItem = { provider: "registry", field: "Person.fullName" };
const citizen = "199012345678";
/** The seeded register, with a benefit-eligibility consent lasting at most 10 days (the register's maxConsentDays). */
const applications = fixedApplicationRegister({
  ...seededRegister,
  applications: seededRegister.applications.map((a) =>
    a.id === "benefits-app" ? { ...a, purposes: a.purposes.map((p) => ({ ...p, maxConsentDays: 10 })) } : a,
  ),
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

async function count(db: Db, table: "consents" | "consent_events"): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

for (const backend of testBackends()) {
  describe(`consent rules on ${backend.name}`, () => {
    const database = consentDatabasePerTest(backend);
    let db: Db & { readonly url: string | undefined };
    let feed: RevisionFeed;
    let service: ConsentService;
    let clock: Date;
    const heard: RevisionEvent[] = [];

    beforeEach(async () => {
      db = database();
      clock = new Date("2026-03-01T09:00:00Z");
      // A short heartbeat: revocations wait out the start-up window (twice the heartbeat) of each fresh feed.
      feed = await createRevisionFeed({ db, initial: 0, logger, heartbeatMs: 25 });
      heard.length = 0;
      feed.subscribe((e) => heard.push(e));
      service = createConsentService({
        db,
        feed,
        applications,
        catalogue,
        portalUrl: "http://localhost:8081",
        now: () => clock,
      });
    });
    afterEach(async () => {
      await feed.close();
    });

    it("keeps no table of applications: the fixtures' consumers table is dropped, the register names them", async () => {
      const { rows } = await db.query<{ t: string | null }>("SELECT to_regclass('consent.consumers')::text AS t");
      expect(rows).toEqual([{ t: null }]);
      const { consent } = await service.openRequest(passportRequest);
      expect(consent.consumerName).toBe(seededRegister.applications.find((a) => a.id === "passport-app")?.name);
      expect(service.purposeText("passport-app", "passport-application")).toBe("To process your passport application");
      expect(service.purposeText("passport-app", "benefit-eligibility")).toBe("A purpose that is not registered with the exchange");
    });

    it("opens a request: PENDING for an hour, with its consent URL and first event; the same request again is reused", async () => {
      const { consent, created } = await service.openRequest(passportRequest);
      expect(created).toBe(true);
      expect(consent).toMatchObject({
        status: "PENDING",
        consumerId: "passport-app",
        consumerName: seededRegister.applications[0]?.name,
        citizenId: citizen,
        purpose: "passport-application",
        consentUrl: `http://localhost:8081/consent/${consent.consentId}`,
        requestExpiresAt: "2026-03-01T10:00:00.000Z",
        grantedAt: null,
        maxDurationDays: 30,
      });
      expect(consent.dataScope.providers).toEqual(["dmt", "drp", "registry"]);
      expect(consent.consentId).toMatch(/^cns_[A-Za-z0-9_-]{22}$/);
      const again = await service.openRequest({ ...passportRequest, fields: [...passportRequest.fields].reverse() });
      expect(again.created).toBe(false);
      expect(again.consent.consentId).toBe(consent.consentId);
      const history = (await service.get(consent.consentId, { history: true }))?.history;
      expect(history).toEqual([{ at: clock.toISOString(), actor: "consumer:passport-app", from: null, to: "PENDING" }]);
    });

    it("refuses bad requests with BAD_USER_INPUT and writes nothing", async () => {
      const cases = [
        { ...passportRequest, purpose: "benefit-eligibility" },
        { ...passportRequest, purpose: "marketing" },
        { ...passportRequest, fields: [] },
        { ...passportRequest, fields: [{ provider: "drp", field: "Person.shoeSize" }] },
        { ...passportRequest, fields: [{ provider: "nowhere", field: "Person.fullName" }] },
        { ...passportRequest, fields: [{ provider: "registry", field: "Person.permanentAddress" }] },
      ];
      for (const input of cases) {
        const error = await rejection(service.openRequest(input));
        expect(error.code).toBe("BAD_USER_INPUT");
        expect(error.status).toBe(400);
        await expect(service.check(input)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
      }
      // An application the register does not know may ask nothing.
      const unknown = { ...passportRequest, consumerId: "no-such-app" };
      expect(await rejection(service.openRequest(unknown))).toMatchObject({ code: "FORBIDDEN", status: 403, message: "application not registered" });
      await expect(service.check({ ...unknown, openRequest: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect((await rejection(service.openRequest({ ...passportRequest, fields: [{ provider: "drp", field: "Person.shoeSize" }] }))).details).toEqual({
        unknownFields: [{ provider: "drp", field: "Person.shoeSize" }],
      });
      expect(await count(db, "consents")).toBe(0);
      expect(await count(db, "consent_events")).toBe(0);
    });

    it("answers a check: missing, then covered by the grant, with the revision and the time it stays true", async () => {
      const before = await service.check(passportRequest);
      expect(before).toMatchObject({ status: "missing", covered: [], revision: 0, validUntil: null });
      expect(before.missing).toHaveLength(passportRequest.fields.length);

      const { consent } = await service.openRequest(passportRequest);
      const granted = await service.grant(consent.consentId, { citizenId: citizen, durationDays: 30, via: "api" });
      expect(granted).toMatchObject({ status: "ACTIVE", grantedAt: clock.toISOString(), expiresAt: "2026-03-31T09:00:00.000Z" });

      const after = await service.check(passportRequest);
      expect(after.status).toBe("covered");
      expect(after.missing).toEqual([]);
      expect(after.revision).toBe(1);
      expect(after.validUntil).toBe("2026-03-31T09:00:00.000Z");
      expect(after.covered.every((f) => f.consentIds.length === 1 && f.consentIds[0] === consent.consentId)).toBe(true);
      expect(heard).toEqual([
        { revision: 1, change: "granted", consentId: consent.consentId, consumerId: "passport-app", citizenId: citizen, at: clock.toISOString() },
      ]);
      // Another purpose, another consumer or another citizen is not covered by it.
      expect((await service.check({ ...passportRequest, citizenId: "198503150123" })).status).toBe("missing");
      expect(
        (await service.check({ consumerId: "benefits-app", citizenId: citizen, purpose: "benefit-eligibility", fields: [fullName] })).status,
      ).toBe("missing");
    });

    it("adds consents up: a later grant for other fields does not undo an earlier one", async () => {
      const first = (await service.openRequest({ ...passportRequest, fields: [fullName, address] })).consent;
      await service.grant(first.consentId, { citizenId: citizen, durationDays: 7, via: "api" });
      clock = new Date(clock.getTime() + hour);
      const second = (await service.openRequest({ ...passportRequest, fields: [vehicles, address] })).consent;
      await service.grant(second.consentId, { citizenId: citizen, durationDays: 30, via: "api" });

      const answer = await service.check({ ...passportRequest, fields: [fullName, address, vehicles] });
      expect(answer.status).toBe("covered");
      const by = Object.fromEntries(answer.covered.map((f) => [`${f.provider}:${f.field}`, f.consentIds]));
      expect(by["registry:Person.fullName"]).toEqual([first.consentId]);
      expect(by["dmt:Person.vehicles"]).toEqual([second.consentId]);
      expect([...(by["drp:Person.permanentAddress"] ?? [])].sort()).toEqual([first.consentId, second.consentId].sort());
      // Full name ends with the first consent: that is when the whole answer stops being true.
      expect(answer.validUntil).toBe("2026-03-08T09:00:00.000Z");

      const partial = await service.check({ ...passportRequest, fields: [fullName, { provider: "drp", field: "Person.profession" }] });
      expect(partial.status).toBe("partial");
      expect(partial.missing).toEqual([{ provider: "drp", field: "Person.profession" }]);
    });

    it("opens a request for exactly the missing fields when asked to", async () => {
      const first = (await service.openRequest({ ...passportRequest, fields: [fullName] })).consent;
      await service.grant(first.consentId, { citizenId: citizen, durationDays: 7, via: "api" });
      const answer = await service.check({ ...passportRequest, fields: [fullName, address], openRequest: true });
      expect(answer.status).toBe("partial");
      const opened = await service.get(answer.request?.consentRequestId ?? "");
      expect(opened?.status).toBe("PENDING");
      expect(opened?.dataScope.fields).toEqual([address]);
      expect(answer.request?.consentUrl).toBe(opened?.consentUrl);
    });

    it("revokes: missing on the very next check, a new revision announced, history kept; revoking twice is a CONFLICT", async () => {
      const { consent } = await service.openRequest(passportRequest);
      await service.grant(consent.consentId, { citizenId: citizen, durationDays: 30, via: "portal" });
      const covered = await service.check(passportRequest);
      clock = new Date(clock.getTime() + day);
      const revoked = await service.revoke(consent.consentId, { citizenId: citizen, via: "portal" });
      expect(revoked).toMatchObject({ status: "REVOKED", revokedAt: clock.toISOString() });
      const after = await service.check(passportRequest);
      expect(after.status).toBe("missing");
      expect(after.revision).toBeGreaterThan(covered.revision);
      expect(heard.map((e) => [e.revision, e.change])).toEqual([
        [1, "granted"],
        [2, "revoked"],
      ]);
      const again = await rejection(service.revoke(consent.consentId, { citizenId: citizen, via: "portal" }));
      expect(again.code).toBe("CONFLICT");
      const history = (await service.get(consent.consentId, { history: true }))?.history ?? [];
      expect(history.map((h) => [h.from, h.to, h.actor])).toEqual([
        [null, "PENDING", "consumer:passport-app"],
        ["PENDING", "ACTIVE", "citizen:199012345678"],
        ["ACTIVE", "REVOKED", "citizen:199012345678"],
      ]);
      expect(await service.revision()).toBe(2);
    });

    it("enforces expiry at check time, and the sweeper records it and announces it", async () => {
      const { consent } = await service.openRequest(passportRequest);
      await service.grant(consent.consentId, { citizenId: citizen, durationDays: 1, via: "api" });
      clock = new Date(clock.getTime() + day);
      // Exactly at expiry: no longer covered, though nothing has been written yet.
      expect((await service.check(passportRequest)).status).toBe("missing");
      expect((await service.get(consent.consentId))?.status).toBe("EXPIRED");
      expect(await service.expireDue()).toBe(1);
      expect(await service.expireDue()).toBe(0);
      const history = (await service.get(consent.consentId, { history: true }))?.history ?? [];
      expect(history.at(-1)).toMatchObject({ from: "ACTIVE", to: "EXPIRED", actor: "system:expiry" });
      expect(heard.at(-1)).toMatchObject({ change: "expired", consentId: consent.consentId, revision: 2 });
      expect((await rejection(service.revoke(consent.consentId, { citizenId: citizen, via: "api" }))).code).toBe("CONFLICT");
    });

    it("refuses to answer an expired or already answered request, and changes nothing", async () => {
      const { consent } = await service.openRequest(passportRequest);
      clock = new Date(clock.getTime() + hour);
      const late = await rejection(service.grant(consent.consentId, { citizenId: citizen, durationDays: 7, via: "api" }));
      expect(late.code).toBe("CONFLICT");
      expect(late.message).toContain("expired");
      expect((await service.get(consent.consentId))?.status).toBe("EXPIRED");
      expect(await service.expireDue()).toBe(1);
      expect(heard).toEqual([]); // an unanswered request never covered anything: no new revision

      const second = (await service.openRequest(passportRequest)).consent;
      expect(second.consentId).not.toBe(consent.consentId);
      await service.reject(second.consentId, { citizenId: citizen, via: "api" });
      const twice = await rejection(service.grant(second.consentId, { citizenId: citizen, durationDays: 7, via: "api" }));
      expect(twice.code).toBe("CONFLICT");
      expect((await service.get(second.consentId))?.status).toBe("REJECTED");
      expect((await service.check(passportRequest)).status).toBe("missing");
    });

    it("refuses another citizen, an unknown id and a duration beyond the purpose's limit; nothing changes", async () => {
      const { consent } = await service.openRequest(passportRequest);
      const other = await rejection(service.grant(consent.consentId, { citizenId: "198503150123", durationDays: 7, via: "api" }));
      expect(other.code).toBe("FORBIDDEN");
      expect((await rejection(service.grant("cns_AAAAAAAAAAAAAAAAAAAAAA", { citizenId: citizen, durationDays: 7, via: "api" }))).code).toBe("NOT_FOUND");
      expect((await rejection(service.grant("not-an-id", { citizenId: citizen, durationDays: 7, via: "api" }))).code).toBe("NOT_FOUND");
      for (const days of [0, 31, 1.5]) {
        const error = await rejection(service.grant(consent.consentId, { citizenId: citizen, durationDays: days, via: "api" }));
        expect(error.code).toBe("BAD_USER_INPUT");
      }
      const benefits = (
        await service.openRequest({ consumerId: "benefits-app", citizenId: citizen, purpose: "benefit-eligibility", fields: [fullName] })
      ).consent;
      expect(benefits.maxDurationDays).toBe(10);
      expect((await rejection(service.grant(benefits.consentId, { citizenId: citizen, durationDays: 11, via: "api" }))).code).toBe("BAD_USER_INPUT");
      expect((await service.get(consent.consentId, { history: true }))?.history).toHaveLength(1);
      expect(await service.revision()).toBe(0);
    });

    it("lists a citizen's consents, newest first, with their status now", async () => {
      const a = (await service.openRequest({ ...passportRequest, fields: [fullName] })).consent;
      await service.grant(a.consentId, { citizenId: citizen, durationDays: 1, via: "api" });
      clock = new Date(clock.getTime() + 2 * day);
      const b = (await service.openRequest({ ...passportRequest, fields: [address] })).consent;
      await service.openRequest({ ...passportRequest, citizenId: "198503150123" });
      const list = await service.listForCitizen(citizen);
      expect(list.map((c) => [c.consentId, c.status])).toEqual([
        [b.consentId, "PENDING"],
        [a.consentId, "EXPIRED"],
      ]);
    });

    it("never rewrites history: updates and deletes of consent events are refused", async () => {
      const { consent } = await service.openRequest(passportRequest);
      await expect(db.query("UPDATE consent_events SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(db.query("DELETE FROM consent_events")).rejects.toThrow(/append-only/);
      expect((await service.get(consent.consentId, { history: true }))?.history?.[0]?.actor).toBe("consumer:passport-app");
    });

    it("announces revisions to every instance sharing the database", async () => {
      if (db.url === undefined) {
        // Embedded PGlite has one process: the local feed is the whole story.
        const { consent } = await service.openRequest(passportRequest);
        await service.grant(consent.consentId, { citizenId: citizen, durationDays: 7, via: "api" });
        expect(feed.latest).toBe(1);
        return;
      }
      // A second instance on the same PostgreSQL database hears the first one's revocation through LISTEN/NOTIFY (the
      // gateways' acknowledgements, shared through the database too, are revisionAcks.test.ts's).
      const otherDb = await openDb({ url: db.url, schema: "consent" });
      const otherFeed = await createRevisionFeed({ db: otherDb, initial: 0, databaseUrl: db.url, logger, heartbeatMs: 100 });
      try {
        const { consent } = await service.openRequest(passportRequest);
        await service.grant(consent.consentId, { citizenId: citizen, durationDays: 7, via: "api" });
        const waited = otherFeed.waitBeyond(1, 5000);
        await service.revoke(consent.consentId, { citizenId: citizen, via: "api" });
        expect(await waited).toBe(2);
      } finally {
        await otherFeed.close();
        await otherDb.close();
      }
    });
  });
}
