/**
 * The register's followers and their acknowledgements (`POST /v1/register/ack`), and the exchange answering a
 * tightening change (a grant revoked, an application suspended, a person's role taken away) only once every follower
 * holds it: at once when they acknowledge it, after the deadline (staleAfterMs, 2 s here: wide enough that "at once" and "after the deadline" stay apart on a loaded CI machine) and no longer when one
 * is silent, and — with other exchange processes over one PostgreSQL, whose followers this one cannot see — after the
 * whole deadline. Loosening changes answer at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAckAnswer } from "@ndx/contracts";
import { endpointAnswer, testBackends } from "@ndx/platform/testing";
import { admin, serviceToken, startTestExchange, type TestExchange } from "./harness.ts";
import { sseReader } from "./sse.ts";

const staleAfterMs = 2000;
const suspend = `mutation($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { status } }`;
const reinstate = `mutation($id: ID!) { reinstateApplication(id: $id) { status } }`;
const revoke = `mutation($id: ID!) { revokeFieldGrant(id: $id, reason: "An audit") { status } }`;
const setPerson = `mutation($member: String!, $person: MemberPersonInput!) { setMemberPerson(member: $member, person: $person) { code } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of testBackends()) {
  describe(`register acknowledgements on ${backend.name}`, () => {
    // Over PostgreSQL the test exchange listens for other processes: it waits the whole deadline for their followers.
    const shared = backend.name === "postgres";
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend, { staleAfterMs });
      // Past the start-up window, in which followers of a previous incarnation are waited out.
      await sleep(staleAfterMs);
    });
    afterAll(async () => {
      await t?.close();
    });

    const ack = (body: unknown, token: string | null = serviceToken) =>
      t.server.yoga.fetch("http://exchange.test/v1/register/ack", {
        method: "POST",
        headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    /** A follower of the stream: its subscriber id, the revision it started at, and its events. */
    const follower = async () => {
      const events = sseReader(await t.get("/v1/register/stream"));
      const first = await events.next();
      const subscriber = String(first?.data["subscriber"]);
      const revision = Number(first?.data["revision"]);
      return { events, subscriber, revision };
    };
    /** Runs a mutation, noting when it answered. */
    const timed = (query: string, variables: Record<string, unknown>) => {
      const started = performance.now();
      const state: { answeredAfter?: number } = {};
      const answer = t.gql(admin, query, variables).then((body) => {
        state.answeredAfter = performance.now() - started;
        return body;
      });
      return { answer, state };
    };
    const grantOf = async (application: string) => {
      const register = (await (await t.get("/v1/register")).json()) as { applications: { id: string; grants: { id: string }[] }[] };
      const id = register.applications.find((a) => a.id === application)?.grants[0]?.id;
      if (id === undefined) throw new Error(`${application} has no live grant`);
      return id;
    };

    it("names a subscriber on the stream's first event and confirms an acknowledgement of the latest revision only", async () => {
      const { events, subscriber, revision } = await follower();
      try {
        expect(subscriber).toMatch(/^[0-9a-f-]{36}$/);
        const confirmed = await ack({ subscriber, revision });
        expect(confirmed.status).toBe(200);
        const answer = registerAckAnswer.parse(await confirmed.json());
        expect(answer).toEqual({ ok: true, value: { confirmed: true, latest: revision, staleAfterMs } });
        expect(await (await ack({ subscriber, revision: revision - 1 })).json()).toEqual({ confirmed: false, latest: revision, staleAfterMs });
        const error = (status: number, code: string) => ({ status, code, cache: "no-store" });
        expect(await endpointAnswer(await ack({ subscriber: "00000000-0000-0000-0000-000000000000", revision }))).toEqual(error(404, "NOT_FOUND"));
        expect(await endpointAnswer(await ack({ subscriber, revision: "latest" }))).toEqual(error(400, "BAD_USER_INPUT"));
        expect(await endpointAnswer(await ack({ subscriber, revision }, null))).toEqual(error(401, "UNAUTHENTICATED"));
        expect(await endpointAnswer(await ack({ subscriber, revision }, "wrong-token"))).toEqual(error(401, "UNAUTHENTICATED"));
        expect(await endpointAnswer(await t.get("/v1/register/ack"))).toEqual(error(405, "BAD_USER_INPUT"));
      } finally {
        await events.cancel();
      }
    });

    it("answers a grant's revocation once its follower acknowledged it, not before", async () => {
      const { events, subscriber, revision } = await follower();
      try {
        expect(await (await ack({ subscriber, revision })).json()).toMatchObject({ confirmed: true });
        const revocation = timed(revoke, { id: await grantOf("passport-app") });
        const announced = await events.until((e) => e.event === "revision");
        expect(announced.data["revision"]).toBe(revision + 1);
        await sleep(100);
        // Committed and announced, but not answered: the follower may still hold the grant.
        expect(revocation.state.answeredAfter).toBeUndefined();
        expect(await (await ack({ subscriber, revision: revision + 1 })).json()).toMatchObject({ confirmed: true });
        expect((await revocation.answer).data).toEqual({ revokeFieldGrant: { status: "REVOKED" } });
        if (shared) expect(revocation.state.answeredAfter).toBeGreaterThanOrEqual(staleAfterMs - 5);
        else expect(revocation.state.answeredAfter).toBeLessThan(staleAfterMs);
      } finally {
        await events.cancel();
      }
    });

    it("waits for a silent follower until its last confirmation is a deadline old, and no longer; a reinstatement answers at once", async () => {
      const { events, subscriber, revision } = await follower();
      try {
        expect(await (await ack({ subscriber, revision })).json()).toMatchObject({ confirmed: true });
        const confirmedAt = performance.now();
        const suspension = timed(suspend, { id: "benefits-app", reason: "Under audit" });
        expect((await suspension.answer).data).toEqual({ suspendApplication: { status: "SUSPENDED" } });
        const waited = performance.now() - confirmedAt;
        expect(waited).toBeGreaterThanOrEqual(staleAfterMs - 5);
        expect(waited).toBeLessThan(staleAfterMs + 1000);

        const reinstatement = timed(reinstate, { id: "benefits-app" });
        expect((await reinstatement.answer).data).toEqual({ reinstateApplication: { status: "ACTIVE" } });
        expect(reinstatement.state.answeredAfter).toBeLessThan(staleAfterMs / 2);
      } finally {
        await events.cancel();
      }
    });

    it("waits when a person's role is taken away, not when a person is added", async () => {
      const { events, subscriber, revision } = await follower();
      try {
        expect(await (await ack({ subscriber, revision })).json()).toMatchObject({ confirmed: true });
        const added = timed(setPerson, { member: "DIE", person: { username: "new.person", role: "MEMBER_ADMIN" } });
        expect((await added.answer).errors).toBeUndefined();
        expect(added.state.answeredAfter).toBeLessThan(staleAfterMs / 2);
        expect(await (await ack({ subscriber, revision: revision + 1 })).json()).toMatchObject({ confirmed: true });
        const moved = timed(setPerson, { member: "DIE", person: { username: "new.person", role: "PROVIDER_DATA_OWNER" } });
        expect((await moved.answer).errors).toBeUndefined();
        expect(moved.state.answeredAfter).toBeGreaterThanOrEqual(staleAfterMs / 2);
      } finally {
        await events.cancel();
      }
    });

    if (shared) {
      it("compares an acknowledgement with the database's revision: another process's change this one has not heard of is not confirmed", async () => {
        const { events, subscriber, revision } = await follower();
        try {
          // Committed by "another process", without a NOTIFY this one could hear.
          await t.db.query("UPDATE exchange_revision SET revision = revision + 1");
          expect(await (await ack({ subscriber, revision })).json()).toEqual({ confirmed: false, latest: revision + 1, staleAfterMs });
        } finally {
          await events.cancel();
        }
      });
    }
  });
}
