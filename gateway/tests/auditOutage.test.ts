/**
 * The gateway's audit database refusing writes, every part real: personal data is refused while nothing can be
 * recorded, /ready says why once the failure outlasts its grace, and the gateway serves again by itself once writes
 * work, with a chain that verifies and an outcome for everything that was served.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { OutcomeEntry } from "../src/audit/auditEvent.ts";
import { verifyAuditTrail } from "../src/audit/auditVerify.ts";
import { startSystem, type System } from "./system.ts";

let system: System;
let passport: string;
beforeAll(async () => {
  // A short grace, set as an operator would: the setting reaches the audit log.
  system = await startSystem({ env: { AUDIT_FAILURE_GRACE_MS: "1000" } });
  passport = await system.token("passport-app");
});
afterAll(async () => system?.close());

const nic = "199012345678";
const ask = () =>
  system.query({ query: "query P($nic: String!) { person(nic: $nic) { fullName } }", variables: { nic } }, {
    authorization: `Bearer ${passport}`,
    "x-purpose": "passport-application",
  });
const ready = async () => {
  const response = await system.gateway.yoga.fetch("http://gateway.test/ready");
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const refuseInserts = `
  CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no space left (test)'; END $$;
  CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_test_refuse();`;
const allowInserts = "DROP TRIGGER audit_test_refuse ON audit_event; DROP FUNCTION audit_test_refuse();";
/** The permitted decisions, and those whose outcome is written. */
const completed = async () => {
  const permits = await system.gatewayDb.query<{ id: string }>("SELECT id FROM audit_event WHERE decision = 'permit'");
  const outcomes = await system.gatewayDb.query<{ outcomes: OutcomeEntry[] }>("SELECT outcomes FROM audit_event WHERE outcomes IS NOT NULL");
  return { permits: new Set(permits.rows.map((r) => r.id)), completed: new Set(outcomes.rows.flatMap((r) => r.outcomes.map((o) => o.decisionId))) };
};
/** Calls `read` every 100 ms until `done` holds of its answer or `ms` have passed; the last answer. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  let value = await read();
  for (const end = Date.now() + ms; !done(value) && Date.now() < end; ) value = await sleep(100).then(read);
  return value;
}

it("refuses personal data while the trail cannot be written, says why at /ready, and serves again once it can", async () => {
  const asked = await ask();
  await system.consentApi(`/v1/consent-requests/${asked.body["errors"][0].extensions.consentRequestId}/grant`, { citizenId: nic, durationDays: 1 });
  expect((await ask()).body).toEqual({ data: { person: { fullName: "Chikondi Emmanuel Mulenga" } } });
  expect((await ready()).body.checks["audit"]).toBe("ok");
  // Its outcome is written (after outcomeDelayMs): from here on only decisions fail, and no read proves writes work.
  // Awaited (up to 10 s) rather than a fixed 300 ms sleep, which a loaded 2-core CI machine could overrun.
  const written = await until(completed, (t) => t.permits.size === 1 && t.completed.size === 1, 10_000);
  expect(written.completed).toEqual(written.permits);

  await system.gatewayDb.exec(refuseInserts);
  try {
    const before = system.upstreamCalls();
    const refused = await ask();
    expect(refused.status).toBe(503);
    expect(refused.body["errors"][0].extensions.code).toBe("EVIDENCE_UNAVAILABLE");
    // Past the grace (1 s here) with no write succeeding: not ready, and why.
    await sleep(1300);
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks["audit"]).toMatch(/^audit writes failing for \d+ ms/);
    expect((await ask()).body["errors"][0].extensions.code).toBe("EVIDENCE_UNAVAILABLE");
    expect(system.upstreamCalls()).toBe(before);
  } finally {
    await system.gatewayDb.exec(allowInserts);
  }

  // No request is needed: the log's retry finds writes working (at most 2 s apart; up to 15 s for a loaded machine).
  const back = await until(ready, (r) => r.status === 200, 15_000);
  expect(back).toMatchObject({ status: 200, body: { checks: { audit: "ok" } } });
  expect((await ask()).body).toEqual({ data: { person: { fullName: "Chikondi Emmanuel Mulenga" } } });

  // The last outcome goes after outcomeDelayMs: wait for it (a loaded machine may take a while), then compare.
  const trail = await until(completed, (t) => t.completed.size >= t.permits.size, 15_000);
  expect(trail.permits.size).toBe(2);
  expect(trail.completed).toEqual(trail.permits);
  expect(await verifyAuditTrail(system.gatewayDb)).toMatchObject({ ok: true });
}, 60_000);
