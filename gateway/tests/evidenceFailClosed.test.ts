/**
 * Fail closed (issue 19): when no audit checkpoint has been time-stamped for AUDIT_TIMESTAMP_MAX_AGE_MS (seconds
 * here), requests for personal data are refused before any subgraph is called with EVIDENCE_UNAVAILABLE (503) and a
 * clear message, recorded as `unavailable`, counted in /metrics and named by /ready; public data is still served; and
 * the gateway recovers by itself once the TSA answers again. Every part real, the TSA over HTTP.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "@ndx/platform/testing";
import { startTestTsa, type TestTsa } from "./evidenceFixtures.ts";
import { startSystem, type System } from "./system.ts";

const evidenceDir = mkdtempSync(join(tmpdir(), "ndx-evidence-fail-closed-"));
let tsa: TestTsa;
let system: System;
let passport: string;
beforeAll(async () => {
  tsa = await startTestTsa();
  system = await startSystem({
    env: { AUDIT_TSA_URL: tsa.url, AUDIT_CHECKPOINT_INTERVAL_MS: "100", AUDIT_TIMESTAMP_MAX_AGE_MS: "1500", AUDIT_EVIDENCE_DIR: evidenceDir },
  });
  passport = await system.token("passport-app");
});
afterAll(async () => {
  await tsa?.start();
  await system?.close();
  await tsa?.close();
  rmSync(evidenceDir, { recursive: true, force: true });
});

const nic = "199012345678";
const person = { query: `query Person($nic: String!) { person(nic: $nic) { fullName } }`, variables: { nic } };
const headers = () => ({ authorization: `Bearer ${passport}`, "x-purpose": "passport-application" });
const get = async (path: string) => system.gateway.yoga.fetch(`http://gateway.test${path}`);
/** /ready's evidence check (the system runs no exchange subgraph, so /ready as a whole says more than this). */
const readyEvidence = async () => ((await (await get("/ready")).json()) as { checks: Record<string, string> }).checks["evidence"];

/** Sends the personal query every 100 ms until `done` says yes (or 8 s pass); returns the last answer. */
async function until(done: (r: Awaited<ReturnType<System["query"]>>) => boolean) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const answer = await system.query(person, headers());
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("time-stamps, or no personal data", () => {
  it("refuses personal data with EVIDENCE_UNAVAILABLE while the TSA is down, serves public data, and recovers", async () => {
    const asked = await system.query(person, headers());
    const id = asked.body["errors"][0].extensions.consentRequestId;
    await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: nic, durationDays: 1 });
    expect((await system.query(person, headers())).body).toEqual({ data: { person: { fullName: "Chikondi Emmanuel Mulenga" } } });
    expect(await readyEvidence()).toBe("ok");

    await tsa.stop();
    const refused = await until((r) => r.status === 503);
    expect(refused.status).toBe(503);
    const error = refused.body["errors"][0];
    expect(error.extensions).toMatchObject({ code: "EVIDENCE_UNAVAILABLE" });
    expect(error.message).toMatch(/^The audit trail cannot be time-stamped \(no audit checkpoint has been time-stamped for \d+ s \(since .+\)\), so no personal data is served; try again later$/);
    expect(refused.body["data"]).toBeUndefined();

    // Before execution: no subgraph is called for a refused request.
    const before = system.upstreamCalls();
    expect((await system.query(person, headers())).status).toBe(503);
    expect(system.upstreamCalls()).toBe(before);
    // Public data is not held back.
    const publicRead = await system.query({ query: "{ districts }" }, headers());
    expect(publicRead.body["data"]["districts"]).toContain("Ibombo");

    expect((await get("/ready")).status).toBe(503);
    expect(await readyEvidence()).toMatch(/time-stamped.*EVIDENCE_UNAVAILABLE/);
    const metrics = await (await get("/metrics")).text();
    expect(metricValue(metrics, "ndx_evidence_refusals_total")).toBeGreaterThanOrEqual(2);
    expect(metricValue(metrics, "ndx_audit_checkpoints_total", { event: "time_stamp_failed" })).toBeGreaterThan(0);
    const recorded = await system.gatewayDb.query<{ reasons: string[] }>(
      "SELECT reasons FROM audit_event WHERE decision = 'unavailable' AND consumer = 'passport-app' ORDER BY at DESC LIMIT 1",
    );
    expect(recorded.rows[0]?.reasons[0]).toMatch(/no audit checkpoint has been time-stamped/);

    await tsa.start();
    const recovered = await until((r) => r.status === 200);
    expect(recovered.body).toEqual({ data: { person: { fullName: "Chikondi Emmanuel Mulenga" } } });
    expect(await readyEvidence()).toBe("ok");
    const stamped = await system.gatewayDb.query<{ n: string; kid: string }>("SELECT count(*) AS n, min(kid) AS kid FROM audit_checkpoint WHERE tst IS NOT NULL");
    expect(Number(stamped.rows[0]?.n)).toBeGreaterThan(1);
    // The key that signed them is published, public half only.
    const jwks = await get("/.well-known/audit-jwks.json");
    expect(jwks.headers.get("content-type")).toBe("application/jwk-set+json");
    const { keys } = (await jwks.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k["kid"])).toEqual([stamped.rows[0]?.kid]);
    expect(keys[0]).not.toHaveProperty("d");
  });
});
