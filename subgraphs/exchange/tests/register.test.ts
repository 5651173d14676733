import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchangeRegister, registerRevision } from "@ndx/contracts";
import { createLogger, listen } from "@ndx/platform";
import { endpointAnswer, metricValue, testBackends } from "@ndx/platform/testing";
import { seedExchange } from "../src/index.ts";
import { createRegisterEndpoints } from "../src/register/registerEndpoints.ts";
import { catalogue } from "./catalogue.ts";
import { admin, consumers, seed, serviceToken, startTestExchange, written, type TestExchange } from "./harness.ts";
import { sseReader } from "./sse.ts";

const suspend = `mutation($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { status } }`;
const reinstate = `mutation($id: ID!) { reinstateApplication(id: $id) { status } }`;

for (const backend of testBackends()) {
  describe(`the register on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    const document = async () => {
      const response = await t.get("/v1/register");
      expect(response.status).toBe(200);
      const parsed = exchangeRegister.parse(await response.json());
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.value;
    };

    it("needs the service token", async () => {
      const refused = { status: 401, code: "UNAUTHENTICATED", cache: "no-store" };
      for (const path of ["/v1/register", "/v1/register/stream"]) {
        expect(await endpointAnswer(await t.get(path, null))).toEqual(refused);
        expect(await endpointAnswer(await t.get(path, "wrong-token"))).toEqual(refused);
        expect(await endpointAnswer(await t.get(path, `${serviceToken}x`))).toEqual(refused);
      }
      const post = await t.server.yoga.fetch("http://exchange.test/v1/register", { method: "POST", headers: { authorization: `Bearer ${serviceToken}` } });
      expect(post.headers.get("allow")).toBe("GET");
      expect(await endpointAnswer(post)).toEqual({ status: 405, code: "BAD_USER_INPUT", cache: "no-store" });
    });

    it("serves the seeded register: applications, purposes and live grants at its revision", async () => {
      const register = await document();
      expect(register.revision).toBe((await written(t.db))["revision"]);
      expect(register.applications.map((a) => a.id)).toEqual(["passport-app", "benefits-app"]);
      const benefits = register.applications.find((a) => a.id === "benefits-app");
      expect(benefits).toMatchObject({
        name: consumers.find((c) => c.id === "benefits-app")?.name,
        member: { code: "SWD", name: "Social Welfare Department" },
        status: "ACTIVE",
        redirectUris: ["http://localhost:5174/callback"],
        purposes: [{ code: "benefit-eligibility", maxConsentDays: 30, maxGrantDays: 365 }],
        clearance: "PERSONAL",
        bulkAccess: false,
      });
      const drp = benefits?.grants.filter((g) => g.provider === "drp").map((g) => g.field);
      expect(drp?.sort()).toEqual(["Person.permanentAddress", "Person.registeredName"]);
      expect(benefits?.grants.some((g) => g.provider === "dmt")).toBe(false);
      // "*": every field the provider resolves.
      const passport = register.applications.find((a) => a.id === "passport-app");
      expect(passport?.grants.filter((g) => g.provider === "dmt").map((g) => g.field).sort()).toEqual(catalogue.fields("dmt").map((f) => f.coordinate).sort());
      const endsAt = Date.parse(passport?.grants[0]?.endsAt ?? "");
      expect(Math.abs(endsAt - (Date.now() + 365 * 86_400_000))).toBeLessThan(120_000);
    });

    it("serves every member with the providers it operates and its people, for the gateway's operational records", async () => {
      const register = await document();
      expect(register.members?.map((m) => `${m.code}:${m.providers.join(",")}`)).toEqual(["DIE:", "DMT:dmt", "DRP:drp", "RGD:registry", "SWD:"]);
      expect(register.members?.find((m) => m.code === "DRP")).toEqual({
        code: "DRP",
        name: seed.members.find((m) => m.code === "DRP")?.name,
        providers: ["drp"],
        people: [{ username: "drp.owner", role: "PROVIDER_DATA_OWNER" }],
      });
    });

    it("leaves out revoked and ended grants, and shows suspended applications as such", async () => {
      const [ended, revoked] = (await t.db.query<{ id: string }>("SELECT id FROM field_grant WHERE application_id = 'passport-app' ORDER BY id LIMIT 2")).rows;
      await t.db.query("UPDATE field_grant SET ends_at = now() - interval '1 second' WHERE id = $1", [ended?.id]);
      await t.db.query("UPDATE field_grant SET revoked_at = now(), revoked_by = 'test', revoke_reason = 'test' WHERE id = $1", [revoked?.id]);
      await t.gql(admin, suspend, { id: "benefits-app", reason: "Under audit" });
      const register = await document();
      const ids = register.applications.flatMap((a) => a.grants.map((g) => g.id));
      expect(ids).not.toContain(ended?.id);
      expect(ids).not.toContain(revoked?.id);
      expect(register.applications.find((a) => a.id === "benefits-app")?.status).toBe("SUSPENDED");
      await t.gql(admin, reinstate, { id: "benefits-app" });
    });

    it("streams the revision first with its periods, heartbeats, and every committed change", async () => {
      const response = await t.get("/v1/register/stream");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = sseReader(response);
      try {
        const first = await events.next();
        expect(first?.event).toBe("revision");
        expect(registerRevision.is(first?.data)).toBe(true);
        const metrics = await (await t.server.yoga.fetch("http://exchange.test/metrics")).text();
        expect(metricValue(metrics, "ndx_exchange_register_streams")).toBeGreaterThanOrEqual(1);
        expect(metricValue(metrics, "ndx_exchange_register_revision")).toBe(first?.data["revision"]);
        expect(metricValue(metrics, "ndx_exchange_register_live")).toBe(1);
        expect(first?.data).toMatchObject({ revision: (await written(t.db))["revision"], heartbeatMs: 50, staleAfterMs: 500 });
        const heartbeat = await events.until((e) => e.event === "heartbeat");
        expect(heartbeat.data["revision"]).toBe(first?.data["revision"]);
        expect(registerRevision.is(heartbeat.data)).toBe(true);

        const at = Date.now();
        await t.gql(admin, suspend, { id: "benefits-app", reason: "Stream test" });
        // Pushed on commit, not found by a later poll: well inside the follower's deadline even on a loaded machine.
        const changed = await events.until((e) => e.event === "revision", 3000);
        expect(Date.now() - at).toBeLessThan(3000);
        expect(changed.data["revision"]).toBe(Number(first?.data["revision"]) + 1);
        await t.gql(admin, reinstate, { id: "benefits-app" });
        expect((await events.until((e) => e.event === "revision")).data["revision"]).toBe(Number(first?.data["revision"]) + 2);
        // A refused change moves nothing.
        await t.gql(admin, reinstate, { id: "benefits-app" });
        const next = await events.until((e) => e.event === "heartbeat");
        expect(next.data["revision"]).toBe(Number(first?.data["revision"]) + 2);
      } finally {
        await events.cancel();
      }
    });

    it("ends its streams cleanly on close, and forgets a client that stops reading", async () => {
      const endpoints = createRegisterEndpoints({
        db: t.db,
        revisions: t.server.revisions,
        token: "tok",
        logger: createLogger("test", "silent"),
        heartbeatMs: 5,
        maxQueuedEvents: 4,
        maxSkippedEvents: 5,
      });
      const open = async () => {
        let response: Response | undefined;
        await endpoints.plugin.onRequest({
          request: new Request("http://x/v1/register/stream", { headers: { authorization: "Bearer tok" } }),
          url: new URL("http://x/v1/register/stream"),
          endResponse: (r) => {
            response = r;
          },
        });
        if (response === undefined) throw new Error("no response");
        return response;
      };
      const reader = sseReader(await open());
      expect((await reader.next())?.event).toBe("revision");
      // The reading client reads on; it sees the stream end when the endpoints close.
      let heard = 0;
      const reading = (async () => {
        while ((await reader.next(5000)) !== undefined) heard += 1;
        return "ended";
      })();
      // A client that never reads: at most 4 events are held for it, then it is dropped.
      await open();
      expect(endpoints.openStreams()).toBe(2);
      // Heartbeats every 5 ms: the silent client is dropped after a handful (200 ms on a quiet machine; a loaded CI
      // machine stretches timers, so the deadline is generous — what is asserted is that it happens, and that the
      // reading client goes on hearing).
      await expect.poll(() => endpoints.openStreams(), { timeout: 5000, interval: 20 }).toBe(1);
      await expect.poll(() => heard, { timeout: 5000, interval: 20 }).toBeGreaterThan(10);
      endpoints.close();
      expect(endpoints.openStreams()).toBe(0);
      await expect(reading).resolves.toBe("ended");
    });

    it("over HTTP: streams as changes happen, and the server shuts down with a stream open", async () => {
      const other = await t.start();
      const http = await listen(other.server.yoga, 0);
      const controller = new AbortController();
      try {
        const response = await fetch(`${http.url}/v1/register/stream`, { headers: { authorization: `Bearer ${serviceToken}` }, signal: controller.signal });
        const events = sseReader(response);
        expect((await events.next())?.event).toBe("revision");
        expect((await events.until((e) => e.event === "heartbeat")).event).toBe("heartbeat");
        const started = Date.now();
        await other.server.close();
        await http.close();
        // Not held open by the stream (margin for a loaded CI machine, as the service's own shutdown test has).
        expect(Date.now() - started).toBeLessThan(5000);
        await expect(events.until(() => false, 10_000)).rejects.toThrow(/the stream ended|terminated|aborted/);
      } finally {
        controller.abort();
      }
    });

    it("seeds a fresh database only", async () => {
      const before = await written(t.db);
      expect(await seedExchange(t.db, { seed, consumers, catalogue })).toEqual({ seeded: false });
      expect(await written(t.db)).toEqual(before);
    });

    if (backend.name === "postgres") {
      it("hears another exchange process's changes through LISTEN/NOTIFY", async () => {
        const other = await t.start();
        const events = sseReader(await t.get("/v1/register/stream"));
        try {
          const first = await events.next();
          await other.gql(admin, suspend, { id: "passport-app", reason: "Changed on the other process" });
          const heard = await events.until((e) => e.event === "revision", 10_000);
          expect(heard.data["revision"]).toBe(Number(first?.data["revision"]) + 1);
          expect((await t.get("/v1/register").then((r) => r.json()) as { revision: number }).revision).toBe(heard.data["revision"]);
          await other.gql(admin, reinstate, { id: "passport-app" });
        } finally {
          await events.cancel();
        }
      });

      it("sends no heartbeat while its LISTEN connection is lost, and catches up on what it missed when it listens again", async () => {
        const other = await t.start();
        const events = sseReader(await t.get("/v1/register/stream"));
        try {
          // The other process's last change (the previous test's) may still be on its way here: wait until it is heard.
          const first = (await written(t.db))["revision"] ?? 0;
          await events.until((e) => e.event === "heartbeat" && e.data["revision"] === first);
          // Every exchange's listener is cut, as a restarted server or a dropped connection would.
          await t.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()");
          await new Promise((r) => setTimeout(r, 100));
          await other.gql(admin, suspend, { id: "passport-app", reason: "Changed while nobody listened" });
          // What was sent before the cut is read; then nothing comes (heartbeats are every 50 ms when live).
          let quiet = false;
          for (let i = 0; i < 40 && !quiet; i++) quiet = await events.next(150).then(() => false, () => true);
          expect(quiet).toBe(true);
          expect(metricValue(await (await t.server.yoga.fetch("http://exchange.test/metrics")).text(), "ndx_exchange_register_live")).toBe(0);
          const caughtUp = await events.until((e) => Number(e.data["revision"]) > first, 10_000);
          expect(caughtUp.data["revision"]).toBe(first + 1);
          expect((await events.until((e) => e.event === "heartbeat", 10_000)).data["revision"]).toBe(first + 1);
          await other.gql(admin, reinstate, { id: "passport-app" });
        } finally {
          await events.cancel();
        }
      });
    }
  });
}
