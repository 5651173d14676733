/**
 * The consent artefact enforced by the gateway before any fan-out (issue 18), every part real, with two gateway
 * replicas over one consent engine whose database is PGlite and, with TEST_DATABASE_URL, PostgreSQL: the terms a
 * consumer proposes in X-Consent-Terms reach the request; a frequency is spent exactly under parallel requests through
 * both replicas (CONSENT_EXHAUSTED with renewsAt, audited, nothing read); a consent not started yet is refused; a pause
 * holds on every replica's next query (CONSENT_PAUSED) and a resume lifts it; the data life comes back in
 * `extensions.consent`.
 */
import type { Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/index.ts";
import { startSystem, type System } from "./system.ts";

const purpose = "passport-application";
const query = (nic: string) => ({ query: `{ person(nic: "${nic}") { permanentAddress } }` });
const nextUtcMidnight = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
};

for (const backend of testBackends()) {
  describe(`the consent artefact through two gateways, consent engine on ${backend.name}`, () => {
    let db: Db;
    let system: System;
    let second: Gateway;
    let token: string;
    const as = (terms?: object) => ({
      authorization: `Bearer ${token}`,
      "x-purpose": purpose,
      ...(terms === undefined ? {} : { "x-consent-terms": JSON.stringify(terms) }),
    });

    beforeAll(async () => {
      db = await backend.open("consent");
      system = await startSystem({ consentDb: db });
      second = await system.replica("replica-b");
      token = await system.token("passport-app");
    });
    afterAll(async () => {
      await system?.close();
      await db?.close();
    });

    /** Asks through the gateway with these terms, checks what the engine recorded, and grants it. */
    async function consented(nic: string, terms?: object): Promise<string> {
      const asked = await system.query(query(nic), as(terms));
      expect(asked.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
      const id: string = asked.body["errors"][0].extensions.consentRequestId;
      const request = await system.consentApi(`/v1/consent-requests/${id}`);
      expect(request["terms"]).toEqual(terms ?? {});
      expect(request["purposeText"]).toBe("To process your passport application");
      await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: nic, durationDays: 7 });
      return id;
    }

    it("3 a DAY: of twelve parallel queries through both replicas exactly three read, nine are CONSENT_EXHAUSTED until midnight UTC, all audited", async () => {
      const nic = "198503150123";
      const terms = { frequency: { unit: "DAY", value: 3 }, dataLife: { unit: "DAY", value: 30 } };
      const id = await consented(nic, terms);
      const before = system.upstreamCalls();
      const legacyCalls = () => system.drpLegacy.stats.snapshot().total + system.dmtLegacy.stats.snapshot().total;
      const legacyBefore = legacyCalls();
      // Each under its own operation name: identical reads in flight together would share one upstream request
      // (subgraphMerge.test.ts), and this counts the calls each permitted read makes.
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          system.query({ query: `query Read${i} ${query(nic).query}` }, as(), i % 2 === 0 ? system.gateway : second),
        ),
      );
      const read = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 403);
      expect(read).toHaveLength(3);
      expect(refused).toHaveLength(9);
      for (const a of read) {
        expect(a.body["data"]).toEqual({ person: { permanentAddress: expect.any(String) } });
        expect(a.body["extensions"]["consent"]["dataLife"]).toEqual({ unit: "DAY", value: 30 });
        const keepUntil = Date.parse(a.body["extensions"]["consent"]["keepUntil"]);
        expect(Math.abs(keepUntil - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
      }
      for (const a of refused) {
        expect(a.body["data"]).toBeUndefined();
        expect(a.body["errors"][0].extensions).toMatchObject({
          code: "CONSENT_EXHAUSTED",
          renewsAt: nextUtcMidnight(),
          consentIds: [id],
          fields: [{ provider: "drp", field: "Person.permanentAddress", reason: "EXHAUSTED" }],
        });
      }
      // Only the three permitted reads reached a provider: two subgraph calls each (the registry resolving the person,
      // the DRP adapter) and at most one legacy call (the adapter may answer from its cache of legacy answers); the nine
      // refusals none.
      const legacy = legacyCalls() - legacyBefore;
      expect(system.upstreamCalls() - before - legacy).toBe(6);
      expect(legacy).toBeLessThanOrEqual(3);
      const { rows } = await system.gatewayDb.query<{ decision: string; reasons: string[] }>(
        "SELECT decision, reasons FROM audit_event WHERE kind = 'decision' AND $1 = ANY(subjects) AND decision <> 'consent_required'",
        [nic],
      );
      expect(rows.filter((r) => r.decision === "permit")).toHaveLength(3);
      expect(rows.filter((r) => r.decision === "forbidden" && r.reasons.includes("consent exhausted"))).toHaveLength(9);
    });

    it("ONETIME: one read in all, then CONSENT_EXHAUSTED that never renews; a consent starting tomorrow is refused until then", async () => {
      const nic = "200101010011";
      await consented(nic, { fetchType: "ONETIME" });
      expect((await system.query(query(nic), as(), second)).status).toBe(200);
      const again = await system.query(query(nic), as(), system.gateway);
      expect(again.body["errors"][0].extensions).toMatchObject({ code: "CONSENT_EXHAUSTED", renewsAt: null });

      const later = "196806300456";
      const start = new Date(Date.now() + 86_400_000).toISOString();
      await consented(later, { start });
      const early = await system.query(query(later), as());
      expect(early.status).toBe(403);
      expect(early.body["errors"][0].extensions).toMatchObject({ code: "CONSENT_EXHAUSTED", renewsAt: start });
      expect(early.body["errors"][0].message).toContain("has not started yet");
    });

    it("pause holds on every replica's next query, even with the 'yes' cached on both (CONSENT_PAUSED); resume lifts it", async () => {
      const nic = "197712240099";
      const id = await consented(nic);
      for (const via of [system.gateway, second, system.gateway, second]) {
        const ok = await system.query(query(nic), as(), via);
        expect(ok.status).toBe(200);
        // No data life proposed: the response is as before terms existed (kept no longer than the consent).
        expect(ok.body["extensions"]).toBeUndefined();
      }
      const paused = await system.consentApi(`/v1/consents/${id}/pause`, { citizenId: nic });
      expect(paused).toMatchObject({ status: "PAUSED", effectiveEverywhere: true });
      const before = system.upstreamCalls();
      for (const via of [second, system.gateway]) {
        const refused = await system.query(query(nic), as(), via);
        expect(refused.status).toBe(403);
        expect(refused.body["errors"][0].extensions).toMatchObject({ code: "CONSENT_PAUSED", consentIds: [id] });
      }
      expect(system.upstreamCalls()).toBe(before);
      await system.consentApi(`/v1/consents/${id}/resume`, { citizenId: nic });
      for (const via of [second, system.gateway]) expect((await system.query(query(nic), as(), via)).status).toBe(200);
    });

    it("refuses terms that are not valid as BAD_USER_INPUT, opening nothing", async () => {
      const nic = "199012345678";
      for (const bad of ["not json", JSON.stringify({ fetchType: "ONETIME", frequency: { unit: "DAY", value: 2 } }), JSON.stringify({ frequency: { unit: "WEEK", value: 1 } })]) {
        const response = await system.query(query(nic), { ...as(), "x-consent-terms": bad });
        expect(response.status).toBe(400);
        expect(response.body["errors"][0].extensions.code).toBe("BAD_USER_INPUT");
      }
      const list = await system.consentApi(`/v1/consents?citizenId=${nic}`);
      expect(list["consents"]).toEqual([]);
    });
  });
}
