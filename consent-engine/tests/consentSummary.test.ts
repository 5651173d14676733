/**
 * GET /v1/consents/summary over real HTTP: per day (UTC) and per application, how many requests were opened, granted,
 * denied, revoked, expired and left unanswered, counted from the history at the engine's clock; the `days` parameter
 * checked; the service token required; nothing about any citizen in the answer. On PGlite, and on PostgreSQL with
 * TEST_DATABASE_URL.
 */
import { testBackends } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentSummary, ConsentView } from "../src/index.ts";
import { passportRequest, seededRegister, startSystem, type TestSystem } from "./support/system.ts";

const citizens = { a: "199012345678", b: "198503150123", c: "200101010011" };
const zeroDay = { requested: 0, granted: 0, denied: 0, revoked: 0, expired: 0, unanswered: 0 };

for (const backend of testBackends()) {
  describe(`consent summary on ${backend.name}`, () => {
    let system: TestSystem;
    let clock = new Date("2026-03-08T09:00:00.000Z");

    beforeAll(async () => {
      system = await startSystem({ db: await backend.open("consent"), engine: { now: () => clock, revisionHeartbeatMs: 50 } });
    });
    afterAll(async () => {
      await system?.close();
    });

    async function open(body: object): Promise<ConsentView> {
      const response = await system.api("/v1/consent-requests", body);
      expect(response.status).toBe(201);
      return (await response.json()) as ConsentView;
    }

    async function act(path: string, body: object): Promise<void> {
      const response = await system.api(path, body);
      expect(response.status).toBe(200);
    }

    it("counts requests and answers per day and per application, with nothing about any citizen", async () => {
      // 8 March: two passport requests; one granted for 7 days, one denied.
      const p1 = await open({ ...passportRequest, citizenId: citizens.a });
      await act(`/v1/consent-requests/${p1.consentId}/grant`, { citizenId: citizens.a, durationDays: 7 });
      const p2 = await open({ ...passportRequest, citizenId: citizens.b });
      await act(`/v1/consent-requests/${p2.consentId}/reject`, { citizenId: citizens.b });
      // 9 March: a benefits request left unanswered; a passport request granted for a day.
      clock = new Date("2026-03-09T09:00:00.000Z");
      await open({ consumerId: "benefits-app", citizenId: citizens.a, purpose: "benefit-eligibility", fields: [{ provider: "registry", field: "Person.fullName" }] });
      const p3 = await open({ ...passportRequest, citizenId: citizens.c });
      await act(`/v1/consent-requests/${p3.consentId}/grant`, { citizenId: citizens.c, durationDays: 1 });
      // Pausing and resuming are not new grants; a grant that ends while paused has expired (issue 18).
      await act(`/v1/consents/${p1.consentId}/pause`, { citizenId: citizens.a });
      await act(`/v1/consents/${p1.consentId}/resume`, { citizenId: citizens.a });
      await act(`/v1/consents/${p3.consentId}/pause`, { citizenId: citizens.c });
      // 10 March: the first grant revoked; the sweep records the day's grant and the unanswered request as expired.
      clock = new Date("2026-03-10T09:30:00.000Z");
      await act(`/v1/consents/${p1.consentId}/revoke`, { citizenId: citizens.a });
      clock = new Date("2026-03-10T10:00:00.000Z");
      expect(await system.engine.service.expireDue()).toBe(2);

      const response = await system.api("/v1/consents/summary?days=3");
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const summary = (await response.json()) as ConsentSummary;
      expect(summary).toMatchObject({ days: 3, from: "2026-03-08", to: "2026-03-10", generatedAt: "2026-03-10T10:00:00.000Z" });
      expect(summary.byDay).toEqual([
        { date: "2026-03-08", ...zeroDay, requested: 2, granted: 1, denied: 1 },
        { date: "2026-03-09", ...zeroDay, requested: 2, granted: 1 },
        { date: "2026-03-10", ...zeroDay, revoked: 1, expired: 1, unanswered: 1 },
      ]);
      expect(summary.totals).toEqual({ requested: 4, granted: 2, denied: 1, revoked: 1, expired: 1, unanswered: 1 });
      const name = (id: string) => seededRegister.applications.find((a) => a.id === id)?.name;
      expect(summary.byApplication.map((a) => [a.applicationId, a.name, a.totals])).toEqual([
        ["benefits-app", name("benefits-app"), { ...zeroDay, requested: 1, unanswered: 1 }],
        ["passport-app", name("passport-app"), { requested: 3, granted: 2, denied: 1, revoked: 1, expired: 1, unanswered: 0 }],
      ]);
      expect(summary.byApplication[1]?.byDay.map((d) => d.requested)).toEqual([2, 1, 0]);
      // Counts only: no citizen, no consent.
      const text = JSON.stringify(summary);
      for (const nic of Object.values(citizens)) expect(text).not.toContain(nic);
      expect(text).not.toMatch(/cns_|citizen/i);

      // The default window is 14 days, today included; one day is today only.
      const fortnight = (await (await system.api("/v1/consents/summary")).json()) as ConsentSummary;
      expect(fortnight.byDay).toHaveLength(14);
      expect(fortnight.from).toBe("2026-02-25");
      expect(fortnight.totals).toEqual(summary.totals);
      const today = (await (await system.api("/v1/consents/summary?days=1")).json()) as ConsentSummary;
      expect(today.byDay).toEqual([{ date: "2026-03-10", ...zeroDay, revoked: 1, expired: 1, unanswered: 1 }]);
    });

    it("refuses a days that is not a whole number from 1 to 90, and callers without the service token", async () => {
      for (const query of ["days=0", "days=91", "days=abc", "days=1.5", "days=-1", "days=", "days=007", "days=3&days=4"]) {
        const response = await system.api(`/v1/consents/summary?${query}`);
        expect(response.status, query).toBe(400);
        expect(await response.json(), query).toEqual({ code: "BAD_USER_INPUT", message: "days must be a whole number from 1 to 90", details: { property: "days" } });
      }
      expect((await system.api("/v1/consents/summary?days=90")).status).toBe(200);
      const anonymous = await fetch(`${system.portalUrl}/v1/consents/summary`);
      expect(anonymous.status).toBe(401);
      expect((await system.api("/v1/consents/summary", undefined, { headers: { authorization: "Bearer not-the-token" } })).status).toBe(401);
    });
  });
}
