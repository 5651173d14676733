/**
 * The gateways' acknowledgements, shared by the engine's instances through the database (revisionAcks.ts): a
 * revocation made at one instance answers as soon as a gateway following another instance has applied it, waits for
 * one that has not until that gateway can no longer use its cache, and waits the whole deadline when the
 * acknowledgements cannot be read. Two feeds on one database stand for two instances. On PGlite, and on PostgreSQL
 * when TEST_DATABASE_URL is set.
 */
import { createLogger, type Db } from "@ndx/platform";
import pg from "pg";
import { testBackends } from "@ndx/platform/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConsentService, createRevisionFeed, fixedApplicationRegister, loadFieldCatalogue, prepareConsentDatabase, type ConsentService, type RevisionFeed } from "../src/index.ts";
import { bumpRevision } from "../src/consentStore.ts";
import { readLatestHeld } from "../src/revisionAcks.ts";
import { consentDatabasePerTest } from "./support/consentDatabase.ts";
import { passportRequest, seededRegister } from "./support/system.ts";

const logger = createLogger("consent-test", "silent");
const citizen = "199012345678";
const heartbeatMs = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testBackends())("revocations and the gateways' acknowledgements on $name", (backend) => {
  const database = consentDatabasePerTest(backend);
  let db: Db;
  let here: RevisionFeed;
  let there: RevisionFeed;
  let service: ConsentService;

  beforeEach(async () => {
    db = database();
    here = await createRevisionFeed({ db, initial: 0, logger, heartbeatMs });
    there = await createRevisionFeed({ db, initial: 0, logger, heartbeatMs });
    service = createConsentService({ db, feed: here, applications: fixedApplicationRegister(seededRegister), catalogue: loadFieldCatalogue(), portalUrl: "http://localhost:8081" });
    await sleep(here.staleAfterMs); // past both instances' start-up window
  });
  afterEach(async () => {
    await here.close();
    await there.close();
  });

  /** A granted consent, the revision of the grant, and a gateway following the other instance that applied it. */
  async function granted(gateway: string) {
    const { consent } = await service.openRequest(passportRequest);
    await service.grant(consent.consentId, { citizenId: citizen, durationDays: 7, via: "api" });
    const revision = here.latest;
    there.track(gateway);
    expect(await there.acknowledge(gateway, revision)).toEqual({ confirmed: true, latest: revision });
    return { consentId: consent.consentId, revision };
  }

  it("answers a revocation once a gateway of the other instance has applied it, well before the deadline", async () => {
    const { consentId, revision } = await granted("00000000-0000-4000-8000-000000000001");
    let acknowledging = Number.POSITIVE_INFINITY;
    const applied = sleep(100).then(() => {
      acknowledging = performance.now();
      return there.acknowledge("00000000-0000-4000-8000-000000000001", revision + 1);
    });
    const revoked = await service.revoke(consentId, { citizenId: citizen, via: "api" });
    // Answered only after the gateway began to acknowledge it, and well before the deadline.
    expect(performance.now()).toBeGreaterThan(acknowledging);
    expect(await applied).toEqual({ confirmed: true, latest: revision + 1 });
    expect(revoked.gateways).toMatchObject({ acknowledged: 1, lapsed: 0 });
    expect(revoked.gateways.waitedMs).toBeLessThan(here.staleAfterMs - 50);
  });

  it("waits for a gateway that does not acknowledge until it can no longer use its cache", async () => {
    const before = performance.now(); // before its acknowledgement is confirmed, below
    const { consentId } = await granted("00000000-0000-4000-8000-000000000002");
    const revoked = await service.revoke(consentId, { citizenId: citizen, via: "api" });
    expect(revoked.gateways).toMatchObject({ acknowledged: 0, lapsed: 1 });
    // Its cache was good for staleAfterMs from its confirmed acknowledgement, and not a moment less was waited.
    expect(performance.now() - before).toBeGreaterThanOrEqual(here.staleAfterMs - 2);
  });

  it("confirms only an acknowledgement of the latest revision, and only from a subscriber of that instance", async () => {
    const { revision } = await granted("00000000-0000-4000-8000-000000000003");
    const { consent } = await service.openRequest({ ...passportRequest, citizenId: "198503150123" });
    await service.grant(consent.consentId, { citizenId: "198503150123", durationDays: 7, via: "api" });
    // Behind: not confirmed (and its row keeps the older revision, so a revocation would wait for it).
    expect(await there.acknowledge("00000000-0000-4000-8000-000000000003", revision)).toEqual({ confirmed: false, latest: revision + 1 });
    expect(await here.acknowledge("00000000-0000-4000-8000-000000000003", revision + 1)).toBeUndefined();
    const { rows } = await db.query<{ revision: string }>("SELECT revision::text FROM consent_revision_ack");
    expect(rows).toEqual([{ revision: String(revision) }]);
  });

  it("waits the whole deadline when the acknowledgements cannot be read", async () => {
    const { consentId } = await granted("00000000-0000-4000-8000-000000000004");
    await db.exec("ALTER TABLE consent_revision_ack RENAME TO consent_revision_ack_away");
    try {
      const revoked = await service.revoke(consentId, { citizenId: citizen, via: "api" });
      expect(revoked.gateways.waitedMs).toBeGreaterThanOrEqual(here.staleAfterMs - 5);
    } finally {
      await db.exec("ALTER TABLE consent_revision_ack_away RENAME TO consent_revision_ack");
    }
  });
});

// What the early answer rests on (revisionAcks.ts): an acknowledgement that has read the latest revision holds it, so
// a revision being committed waits for that acknowledgement's row. Two connections are needed: PostgreSQL only.
for (const backend of testBackends().filter((b) => b.name === "postgres")) {
  describe("an acknowledgement in flight while a revision commits, on postgres", () => {
    it("is stored before the revision commits: the revocation's reading of the table cannot miss it", async () => {
      const db = await backend.open("consent");
      const url = db.url ?? "";
      const other = new pg.Client({ connectionString: url });
      try {
        await prepareConsentDatabase(db);
        await other.connect();
        await other.query("SET search_path TO consent");
        await other.query("BEGIN");
        await other.query(readLatestHeld);
        let committed = false;
        const bump = db.transaction((tx) => bumpRevision(tx, { change: "granted" })).then(() => (committed = true));
        await sleep(300);
        expect(committed).toBe(false);
        await other.query("INSERT INTO consent_revision_ack (subscriber, revision, confirmed_at) VALUES ('gw', 0, clock_timestamp())");
        await other.query("COMMIT");
        await bump;
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM consent_revision_ack WHERE subscriber = 'gw'");
        expect(rows).toEqual([{ n: 1 }]);
      } finally {
        await other.end();
        await db.close();
      }
    });
  });
}
