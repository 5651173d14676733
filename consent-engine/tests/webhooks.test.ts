/**
 * Signed webhooks of answers (issue 18 item 8) over real HTTP: a consumer with a registered URL receives each answer
 * to its requests as a JWS that verifies with jose against the engine's JWKS; a receiver that fails is retried with
 * backoff until it answers 2xx; outside development (no private addresses allowed) a URL on a loopback address, by
 * literal or by a name resolving to it, is never called — the SSRF guard — and the refusal is recorded.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { isSpecialAddress } from "../src/webhook/safeAddress.ts";
import { passportRequest, startSystem, type TestSystem } from "./support/system.ts";

interface Receiver {
  readonly url: string;
  readonly bodies: string[];
  /** Answers this many 500s before a 204. */
  failures: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const bodies: string[] = [];
  const state = { failures: 0 };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      bodies.push(body);
      if (state.failures > 0) {
        state.failures -= 1;
        res.writeHead(500).end("not now");
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ndx-consent`,
    bodies,
    get failures() {
      return state.failures;
    },
    set failures(n: number) {
      state.failures = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
};

let receiver: Receiver;
let system: TestSystem | undefined;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await system?.close();
  system = undefined;
});
afterAll(async () => receiver?.close());

async function askAndAnswer(s: TestSystem, citizenId: string, answer: "grant" | "reject"): Promise<ConsentView> {
  const opened = (await (await s.api("/v1/consent-requests", { ...passportRequest, citizenId })).json()) as ConsentView;
  const path = `/v1/consent-requests/${opened.consentId}/${answer}`;
  return (await (await s.api(path, answer === "grant" ? { citizenId, durationDays: 7 } : { citizenId })).json()) as ConsentView;
}

describe("signed webhooks", () => {
  it("delivers each answer as a JWS the consumer verifies with the engine's JWKS; a failing receiver is retried", async () => {
    system = await startSystem({ engine: { webhooks: { urls: { "passport-app": receiver.url }, allowPrivateAddresses: true, intervalMs: 40, baseMs: 50 } } });
    const jwks = (await (await fetch(`${system.portalUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const verify = async (jws: string) => JSON.parse(new TextDecoder().decode((await compactVerify(jws, createLocalJWKSet(jwks))).payload)) as Record<string, unknown>;

    receiver.bodies.length = 0;
    const granted = await askAndAnswer(system, "198503150123", "grant");
    await until(() => receiver.bodies.length === 1);
    expect(await verify(receiver.bodies[0] ?? "")).toMatchObject({ ver: 1, consentId: granted.consentId, consumerId: "passport-app", status: "ACTIVE", expiresAt: granted.expiresAt });

    receiver.failures = 2;
    const refused = await askAndAnswer(system, "200101010011", "reject");
    await until(() => receiver.bodies.length === 4);
    for (const body of receiver.bodies.slice(1)) expect(await verify(body)).toMatchObject({ consentId: refused.consentId, status: "REJECTED" });
    const { rows } = await system.db.query<{ attempts: number; delivered: boolean }>(
      "SELECT attempts, delivered_at IS NOT NULL AS delivered FROM consent_webhook_outbox WHERE consent_id = $1",
      [refused.consentId],
    );
    expect(rows).toEqual([{ attempts: 3, delivered: true }]);
    // A tampered notice does not verify.
    const [h, p, sig] = (receiver.bodies[0] ?? "").split(".");
    const forged = Buffer.from(JSON.stringify({ ...(await verify(receiver.bodies[0] ?? "")), status: "REJECTED" })).toString("base64url");
    await expect(verify(`${h}.${forged}.${sig}`)).rejects.toThrow();
    expect(p).not.toBe(forged);
  });

  it("outside development never calls a private address, by literal or by name, and records why", async () => {
    const byName = receiver.url.replace("127.0.0.1", "localhost").replace("http:", "https:");
    const literal = receiver.url.replace("http:", "https:");
    system = await startSystem({ engine: { webhooks: { urls: { "passport-app": literal, "benefits-app": byName }, intervalMs: 40, baseMs: 50, maxAttempts: 2 } } });
    receiver.bodies.length = 0;
    const a = await askAndAnswer(system, "197712240099", "grant");
    const opened = (await (await system.api("/v1/consent-requests", { consumerId: "benefits-app", citizenId: "196806300456", purpose: "benefit-eligibility", fields: [{ provider: "drp", field: "Person.permanentAddress" }] })).json()) as ConsentView;
    await system.api(`/v1/consent-requests/${opened.consentId}/reject`, { citizenId: "196806300456" });
    const db = system.db;
    await until(async () => {
      const { rows } = await db.query<{ n: string | number }>("SELECT count(*) AS n FROM consent_webhook_outbox WHERE failed_at IS NOT NULL");
      return Number(rows[0]?.n) === 2;
    });
    expect(receiver.bodies).toEqual([]);
    const { rows } = await db.query<{ consent_id: string; last_error: string }>("SELECT consent_id, last_error FROM consent_webhook_outbox ORDER BY id");
    expect(rows).toEqual([
      { consent_id: a.consentId, last_error: "the webhook URL is a private or special address" },
      { consent_id: opened.consentId, last_error: "localhost resolves to an address webhooks may not reach" },
    ]);
  });

  it("knows the special addresses", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "not-an-ip"]) {
      expect(isSpecialAddress(a), a).toBe(true);
    }
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isSpecialAddress(a), a).toBe(false);
  });
});
