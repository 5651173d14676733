/**
 * The consent check's cache and its revision stream, against a fake consent engine on real HTTP whose stream the
 * test drives (first event, heartbeats, revisions, silence): a cached "covered" is used only while the stream is up
 * and its last confirmed acknowledgement is younger than the engine's deadline, checked when the answer would be
 * used; a silent stream turns the cache off, is reported once and reopened.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ConsentCheckAnswer, RevisionAckAnswer, RevisionEvent, RevisionHeartbeat, StreamOpened } from "@ndx/contracts";
import { listen, type Listening } from "@ndx/platform";
import { GraphQLError } from "graphql";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createConsentCheck, type ConsentCheck } from "../src/access/consentCheck.ts";

const token = "fake-engine-token";
const fields = Object.freeze([Object.freeze({ provider: "registry", field: "Person.fullName" })]) as never;

interface FakeEngine {
  url: string;
  /** Stream connections opened, checks answered, acknowledgements received. */
  readonly counts: { streams: number; checks: number; acks: number };
  /** The deadline the first event names (undefined: an engine that names none). */
  staleAfterMs: number | undefined;
  /** Whether acknowledgements are confirmed. */
  confirm: boolean;
  /** The revision the stream and the checks report. */
  revision: number;
  /** The revision a check answer says it was computed at (default: `revision`). */
  checkRevision: number | undefined;
  /** A check answer's body as sent instead of the contract's (a broken or foreign engine). */
  checkBody: string | undefined;
  heartbeat(): void;
  announce(revision: number): void;
  /** Writes raw text to every open stream. */
  send(text: string): void;
  close: () => Promise<void>;
}

async function fakeEngine(): Promise<FakeEngine> {
  const streams = new Set<ServerResponse>();
  const write = (text: string) => {
    for (const s of streams) s.write(text);
  };
  const engine: FakeEngine = {
    url: "",
    close: async () => undefined,
    counts: { streams: 0, checks: 0, acks: 0 },
    // Generous: a cached answer is trusted only this long after the last confirmed acknowledgement, and a test that
    // expects it used must not see it lapse because a loaded machine was slow between two steps.
    staleAfterMs: 10_000,
    confirm: true,
    revision: 5,
    checkRevision: undefined,
    checkBody: undefined,
    heartbeat: () => {
      const beat: RevisionHeartbeat = { revision: engine.revision, at: new Date().toISOString() };
      write(`event: heartbeat\ndata: ${JSON.stringify(beat)}\n\n`);
    },
    announce(revision) {
      engine.revision = revision;
      const at = new Date().toISOString();
      const event: RevisionEvent = { revision, change: "granted", consentId: "cns_b", consumerId: "passport-app", citizenId: "199012345678", at };
      write(`id: ${revision}\nevent: revision\ndata: ${JSON.stringify(event)}\n\n`);
    },
    send: (text) => write(text),
  };
  const http: Listening = await listen((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    if (req.url === "/v1/revision/stream") {
      engine.counts.streams += 1;
      res.writeHead(200, { "content-type": "text/event-stream" });
      streams.add(res);
      res.on("close", () => streams.delete(res));
      const deadline = engine.staleAfterMs === undefined ? {} : { staleAfterMs: engine.staleAfterMs };
      const first: StreamOpened = { revision: engine.revision, change: "current", at: new Date().toISOString(), subscriber: randomUUID(), heartbeatMs: 100, ...deadline };
      return void res.write(`event: revision\ndata: ${JSON.stringify(first)}\n\n`);
    }
    const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    req.resume();
    return void req.on("end", () => {
      if (req.url === "/v1/revision/ack") {
        engine.counts.acks += 1;
        const answer: RevisionAckAnswer = { subscriber: "", revision: engine.revision, latest: engine.revision, confirmed: engine.confirm, staleAfterMs: engine.staleAfterMs ?? 1 };
        json(answer);
        return;
      }
      engine.counts.checks += 1;
      if (engine.checkBody !== undefined) return void res.writeHead(200, { "content-type": "application/json" }).end(engine.checkBody);
      const validUntil = new Date(Date.now() + 86_400_000).toISOString();
      const covered = [{ provider: "registry", field: "Person.fullName", consentIds: ["cns_a"], validUntil }];
      const answer: ConsentCheckAnswer = {
        status: "covered",
        revision: engine.checkRevision ?? engine.revision,
        covered,
        missing: [],
        validUntil: null,
        checkedAt: new Date().toISOString(),
      };
      json(answer);
    });
  }, 0);
  engine.url = http.url;
  engine.close = () => (streams.forEach((s) => s.destroy()), http.close());
  return engine;
}

const open: { check?: ConsentCheck; engine?: FakeEngine }[] = [];
afterEach(async () => {
  for (const { check, engine } of open.splice(0)) {
    check?.close();
    await engine?.close();
  }
});

async function setUp(options: { now?: () => number; staleAfterMs?: number | undefined; confirm?: boolean } = {}) {
  const engine = await fakeEngine();
  if ("staleAfterMs" in options) engine.staleAfterMs = options.staleAfterMs;
  if (options.confirm !== undefined) engine.confirm = options.confirm;
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  const check = createConsentCheck({ url: engine.url, serviceToken: token, logger, ...(options.now === undefined ? {} : { now: options.now }) });
  open.push({ check, engine });
  await check.ready();
  await expect.poll(() => engine.counts.acks, { timeout: 5000, interval: 10 }).toBeGreaterThan(0);
  // Until the gateway has read the engine's confirmation, nothing it caches is used. Where it should be confirmed, wait
  // for that (however long a loaded machine takes) with a probe under another purpose, then count checks afresh.
  if (engine.confirm && engine.staleAfterMs !== undefined) {
    const probe = () => check.cached("passport-app", "199012345678", "probe", fields);
    await expect.poll(async () => probe() ?? (await check.check("passport-app", "199012345678", "probe", fields), probe()), { timeout: 5000, interval: 10 }).toBeDefined();
    engine.counts.checks = 0;
  }
  const ask = () => check.check("passport-app", "199012345678", "passport-application", fields);
  return { engine, check, ask, lines };
}

describe("consent check cache and the revision stream", () => {
  it("uses a cached answer while heartbeats are confirmed; a silent stream turns it off, is reported once and reopened", async () => {
    // A 2 s deadline and a heartbeat every 250 ms: a loaded machine may delay a heartbeat's acknowledgement by far more
    // than the beat, and the cache must not lapse between two of them.
    const staleAfterMs = 2000;
    const { engine, check, ask, lines } = await setUp({ staleAfterMs });
    expect((await ask()).covered).toBe(true);
    for (let i = 0; i < 12; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      engine.heartbeat();
      await ask();
    }
    expect(engine.counts.checks).toBe(1); // 3 s: longer than the deadline, kept alive by the heartbeats

    // Silence (the connection stays open): past the deadline nothing cached is used, and the stream is reopened.
    const silentFrom = performance.now();
    const cached = () => check.cached("passport-app", "199012345678", "passport-application", fields);
    await expect.poll(cached, { interval: 10, timeout: staleAfterMs + 8000 }).toBeUndefined();
    // About the deadline after the last heartbeat, not the answer's 30 s maxAge (margin for a loaded machine).
    expect(performance.now() - silentFrom).toBeLessThan(staleAfterMs + 3000);
    await ask();
    expect(engine.counts.checks).toBe(2);
    await expect.poll(() => engine.counts.streams, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(lines.filter((l) => l.msg === "consent revision stream silent; cache off")).toHaveLength(1);
  });

  it("checks the deadline when an answer would be used, not only by a timer (a paused process)", async () => {
    let clock = 0;
    const { engine, check, ask } = await setUp({ now: () => clock });
    await ask();
    await ask();
    expect(engine.counts.checks).toBe(1);
    // Time passes without any timer running: the next use finds the confirmation a deadline old.
    clock += engine.staleAfterMs ?? 0;
    expect(check.cached("passport-app", "199012345678", "passport-application", fields)).toBeUndefined();
    await ask();
    expect(engine.counts.checks).toBe(2);
  });

  it("uses no cached answer when acknowledgements are not confirmed, or when the engine names no deadline", async () => {
    for (const options of [{ confirm: false }, { staleAfterMs: undefined }]) {
      const { engine, ask } = await setUp(options);
      await ask();
      await ask();
      expect(engine.counts.checks).toBe(2);
    }
  });

  it("does not cache an answer older than a revision already applied, and empties the cache on a newer revision", async () => {
    const { engine, ask } = await setUp();
    engine.checkRevision = 4;
    await ask();
    await ask();
    expect(engine.counts.checks).toBe(2);
    engine.checkRevision = undefined;
    await ask();
    await ask();
    expect(engine.counts.checks).toBe(3);
    engine.announce(6);
    await expect.poll(async () => (await ask(), engine.counts.checks), { timeout: 5000, interval: 20 }).toBe(4);
  });

  it("refuses a malformed answer from the engine as UPSTREAM_UNAVAILABLE naming it, logged without the body, and caches nothing", async () => {
    const { engine, ask, lines } = await setUp();
    const valid = JSON.stringify({ status: "covered", revision: 5, covered: [], missing: [], validUntil: null, checkedAt: new Date().toISOString() });
    const malformed = [
      JSON.stringify({ status: "covered", revision: 5 }),
      JSON.stringify({ status: "covered", revision: 5, covered: "all", missing: [], validUntil: null, checkedAt: "now" }),
      JSON.stringify({ status: "covered", revision: 5, covered: [], missing: [], validUntil: "forever", checkedAt: new Date().toISOString() }),
      JSON.stringify({ ...(JSON.parse(valid) as object), status: "yes" }),
      "<html>secret-upstream-body</html>",
      "null",
    ];
    for (const body of malformed) {
      engine.checkBody = body;
      const error: unknown = await ask().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).message).toBe("The consent engine could not answer");
      expect((error as GraphQLError).extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "consent-engine", http: { status: 502 } });
    }
    expect(engine.counts.checks).toBe(malformed.length);
    const logged = lines.filter((l) => l.msg === "consent engine sent a malformed check answer");
    expect(logged).toHaveLength(malformed.length);
    expect(JSON.stringify(lines)).not.toContain("secret-upstream-body");
    engine.checkBody = valid;
    expect((await ask()).covered).toBe(true);
  });

  it("treats a revision event that breaks its contract as a lost stream (cache off, reported, reopened); ignores events of other kinds", async () => {
    // A deadline far beyond the wait below: the cache goes off because of the malformed event, not by lapsing.
    const { engine, check, ask, lines } = await setUp({ staleAfterMs: 60_000 });
    await ask();
    engine.send(`event: pause\ndata: ${JSON.stringify({ anything: true })}\n\n`);
    await new Promise((r) => setTimeout(r, 50));
    await ask();
    expect(engine.counts.checks).toBe(1);

    const revoked = { change: "revoked", consentId: "cns_a", consumerId: "passport-app", citizenId: "199012345678", at: new Date().toISOString() };
    engine.send(`event: revision\ndata: ${JSON.stringify({ ...revoked, revision: "6" })}\n\n`);
    const cached = () => check.cached("passport-app", "199012345678", "passport-application", fields);
    await expect.poll(cached, { interval: 10, timeout: 5000 }).toBeUndefined();
    await expect.poll(() => engine.counts.streams, { timeout: 10_000, interval: 20 }).toBe(2);
    const reported = lines.filter((l) => l.msg === "consent revision stream sent a malformed event; cache off");
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ problem: "a revision event: /revision must be integer" });
  });
});
