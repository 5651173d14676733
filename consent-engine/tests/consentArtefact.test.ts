/**
 * The consent artefact (issue 18) on both storage backends (PGlite always, PostgreSQL with TEST_DATABASE_URL): the
 * terms a consumer proposes and their defaults, a start in the future, ONETIME and PERIODIC frequencies spent exactly
 * (also under concurrency), data life, pause and resume, a request superseded by another, and the guarantee that a
 * consent for one citizen, purpose or field set opens nothing else with each term. The clock is moved by hand.
 */
import { createLogger, type Db } from "@ndx/platform";
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
import { seededRegister } from "./support/system.ts";

const logger = createLogger("consent-test", "silent");
const catalogue = loadFieldCatalogue();
const hour = 3_600_000;
const address: ScopeItem = { provider: "drp", field: "Person.permanentAddress" };
const vehicles: ScopeItem = { provider: "dmt", field: "Person.vehicles" };
const citizen = "199012345678";
const other = "198512345679";
const asked = { consumerId: "passport-app", citizenId: citizen, purpose: "passport-application", fields: [address] };

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

for (const backend of testBackends()) {
  describe(`the consent artefact on ${backend.name}`, () => {
    const database = consentDatabasePerTest(backend);
    let db: Db;
    let feed: RevisionFeed;
    let service: ConsentService;
    let clock: Date;
    const heard: RevisionEvent[] = [];

    beforeEach(async () => {
      db = database();
      clock = new Date("2026-03-01T09:30:00Z");
      feed = await createRevisionFeed({ db, initial: 0, logger, heartbeatMs: 25 });
      heard.length = 0;
      feed.subscribe((e) => heard.push(e));
      const applications = fixedApplicationRegister(seededRegister);
      service = createConsentService({ db, feed, applications, catalogue, portalUrl: "http://localhost:8081", now: () => clock });
    });
    afterEach(async () => {
      await feed.close();
    });

    /** Opens a request with these terms and grants it for `days`. */
    async function granted(terms?: object, request: typeof asked = asked, days = 7) {
      const { consent } = await service.openRequest({ ...request, ...(terms === undefined ? {} : { terms }) });
      return service.grant(consent.consentId, { citizenId: request.citizenId, via: "api", durationDays: days });
    }
    const use = (request: typeof asked = asked) => service.check({ ...request, spend: true });

    it("records the terms proposed, and today's defaults when none are: from the grant, unlimited, kept no longer than the consent", async () => {
      const plain = await granted();
      expect(plain).toMatchObject({ terms: {}, purposeText: "To process your passport application", status: "ACTIVE" });
      const checked = await use();
      expect(checked).toMatchObject({ status: "covered", metered: false, dataLife: null });
      expect(checked.withheld).toBeUndefined();
      for (let i = 0; i < 5; i += 1) expect((await use()).status).toBe("covered");

      const terms = { fetchType: "PERIODIC", frequency: { unit: "DAY", value: 3 }, dataLife: { unit: "MONTH", value: 6 } } as const;
      const { consent } = await service.openRequest({ ...asked, fields: [vehicles], terms });
      expect(consent.terms).toEqual(terms.fetchType === "PERIODIC" ? { frequency: terms.frequency, dataLife: terms.dataLife } : {});
      const fetched = await service.get(consent.consentId, { history: true });
      expect(fetched?.terms).toEqual({ frequency: { unit: "DAY", value: 3 }, dataLife: { unit: "MONTH", value: 6 } });
    });

    it("refuses terms that make no sense, naming the property, and records nothing", async () => {
      const bad = [
        { fetchType: "SOMETIMES" },
        { fetchType: "ONETIME", frequency: { unit: "DAY", value: 1 } },
        { frequency: { unit: "WEEK", value: 1 } },
        { frequency: { unit: "DAY", value: 0 } },
        { dataLife: { unit: "DAY", value: 1.5 } },
        { start: "tomorrow" },
        { start: "2028-03-01T00:00:00Z" },
        { colour: "blue" },
      ];
      for (const terms of bad) {
        const error = await rejection(service.openRequest({ ...asked, terms } as never));
        expect(error.code).toBe("BAD_USER_INPUT");
      }
      const { rows } = await db.query<{ n: string | number }>("SELECT count(*) AS n FROM consents");
      expect(Number(rows[0]?.n)).toBe(0);
    });

    it("a consent starting later is withheld (NOT_STARTED, renewing at its start) until then, and lasts its days from its start", async () => {
      const start = "2026-03-05T00:00:00.000Z";
      const consent = await granted({ start }, asked, 7);
      expect(consent.expiresAt).toBe("2026-03-12T00:00:00.000Z");
      expect(await use()).toMatchObject({ status: "missing", missing: [], withheld: [{ ...address, reason: "NOT_STARTED", renewsAt: start, consentIds: [consent.consentId] }] });
      clock = new Date(start);
      expect((await use()).status).toBe("covered");
      clock = new Date("2026-03-12T00:00:00.000Z");
      expect(await use()).toMatchObject({ status: "missing", missing: [address] });
    });

    it("ONETIME is one use in all: the second is EXHAUSTED for good (renewsAt null)", async () => {
      const consent = await granted({ fetchType: "ONETIME" });
      expect(await use()).toMatchObject({ status: "covered", metered: true });
      expect(await use()).toMatchObject({ status: "missing", withheld: [{ reason: "EXHAUSTED", renewsAt: null, consentIds: [consent.consentId] }] });
      clock = new Date(clock.getTime() + 5 * 24 * hour);
      expect((await use()).withheld?.[0]?.reason).toBe("EXHAUSTED");
    });

    it("PERIODIC 3 a DAY: three uses, then EXHAUSTED until the next UTC day, then three more; a question spends nothing", async () => {
      await granted({ frequency: { unit: "DAY", value: 3 } });
      for (let i = 0; i < 5; i += 1) expect((await service.check(asked)).status).toBe("covered");
      for (let i = 0; i < 3; i += 1) expect((await use()).status).toBe("covered");
      expect(await use()).toMatchObject({ withheld: [{ reason: "EXHAUSTED", renewsAt: "2026-03-02T00:00:00.000Z" }] });
      clock = new Date("2026-03-02T00:00:00.000Z");
      for (let i = 0; i < 3; i += 1) expect((await use()).status).toBe("covered");
      expect((await use()).withheld?.[0]?.reason).toBe("EXHAUSTED");
    });

    it("spends exactly the uses allowed when many checks race for them", async () => {
      await granted({ frequency: { unit: "HOUR", value: 4 } });
      const answers = await Promise.all(Array.from({ length: 12 }, () => use()));
      expect(answers.filter((a) => a.status === "covered")).toHaveLength(4);
      expect(answers.filter((a) => a.withheld?.[0]?.reason === "EXHAUSTED")).toHaveLength(8);
      const { rows } = await db.query<{ used: number }>("SELECT used FROM consent_uses");
      expect(rows).toEqual([{ used: 4 }]);
    });

    it("an unlimited consent for the same field is used before a metered one, and the shortest data life is reported", async () => {
      await granted({ fetchType: "ONETIME", dataLife: { unit: "DAY", value: 2 } });
      await granted({ dataLife: { unit: "YEAR", value: 1 } }, { ...asked, fields: [address, vehicles] });
      for (let i = 0; i < 3; i += 1) {
        expect(await use({ ...asked, fields: [address, vehicles] })).toMatchObject({ status: "covered", metered: false, dataLife: { unit: "DAY", value: 2 } });
      }
      const { rows } = await db.query("SELECT used FROM consent_uses");
      expect(rows).toEqual([]);
    });

    it("pause: withheld as PAUSED, announced and answered once it holds everywhere; resume: covered again; revoke works on a paused one", async () => {
      const consent = await granted();
      const paused = await service.pause(consent.consentId, { citizenId: citizen, via: "api" });
      expect(paused).toMatchObject({ status: "PAUSED", effectiveEverywhere: true });
      expect(heard.map((e) => e.change)).toContain("paused");
      expect(await use()).toMatchObject({ status: "missing", missing: [], withheld: [{ reason: "PAUSED", renewsAt: null }] });
      expect((await rejection(service.pause(consent.consentId, { citizenId: citizen, via: "api" }))).code).toBe("CONFLICT");
      expect((await rejection(service.resume(consent.consentId, { citizenId: other, via: "api" }))).code).toBe("FORBIDDEN");
      const resumed = await service.resume(consent.consentId, { citizenId: citizen, via: "api" });
      expect(resumed.status).toBe("ACTIVE");
      expect(heard.map((e) => e.change)).toContain("resumed");
      expect((await use()).status).toBe("covered");
      await service.pause(consent.consentId, { citizenId: citizen, via: "api" });
      expect((await service.revoke(consent.consentId, { citizenId: citizen, via: "api" })).status).toBe("REVOKED");
      const history = (await service.get(consent.consentId, { history: true }))?.history?.map((h) => h.to);
      expect(history).toEqual(["PENDING", "ACTIVE", "PAUSED", "ACTIVE", "PAUSED", "REVOKED"]);
    });

    it("supersede: a new request of the same application and purpose for other fields replaces the open one; the same one is reused", async () => {
      const first = (await service.openRequest(asked)).consent;
      expect((await service.openRequest(asked)).created).toBe(false);
      const second = (await service.openRequest({ ...asked, fields: [address, vehicles] })).consent;
      const old = await service.get(first.consentId, { history: true });
      expect(old).toMatchObject({ status: "SUPERSEDED", supersededBy: second.consentId });
      expect(old?.history?.at(-1)).toMatchObject({ actor: "consumer:passport-app", from: "PENDING", to: "SUPERSEDED" });
      expect((await rejection(service.grant(first.consentId, { citizenId: citizen, via: "api", durationDays: 1 }))).code).toBe("CONFLICT");
      // Other terms for the same fields replace it too; another citizen's or purpose's requests are left alone.
      const otherCitizen = (await service.openRequest({ ...asked, citizenId: other })).consent;
      const third = (await service.openRequest({ ...asked, fields: [address, vehicles], terms: { fetchType: "ONETIME" } })).consent;
      expect((await service.get(second.consentId))?.status).toBe("SUPERSEDED");
      expect((await service.get(third.consentId))?.status).toBe("PENDING");
      expect((await service.get(otherCitizen.consentId))?.status).toBe("PENDING");
    });

    it("with every term, a consent for one citizen, purpose or field set opens nothing else", async () => {
      const terms = { start: "2026-03-01T09:00:00.000Z", frequency: { unit: "DAY", value: 5 }, dataLife: { unit: "DAY", value: 1 } };
      await granted(terms);
      expect((await use()).status).toBe("covered");
      expect(await use({ ...asked, citizenId: other })).toMatchObject({ status: "missing", missing: [address] });
      expect(await use({ ...asked, fields: [vehicles] })).toMatchObject({ status: "missing", missing: [vehicles] });
      expect(await use({ ...asked, fields: [address, vehicles] })).toMatchObject({ status: "partial", missing: [vehicles] });
      const benefits = { ...asked, consumerId: "benefits-app", purpose: "benefit-eligibility" };
      expect(await use(benefits)).toMatchObject({ status: "missing", missing: [address] });
      // The partial answers spent nothing: four uses are left of five.
      const { rows } = await db.query<{ used: number }>("SELECT used FROM consent_uses");
      expect(rows).toEqual([{ used: 1 }]);
    });
  });
}
