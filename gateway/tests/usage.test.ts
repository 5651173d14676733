/**
 * Field usage for the schema registry: counted per scope field list, operation and consumer without anything personal,
 * reported over real HTTP to an endpoint with the exchange's contract (POST /v1/usage, service token), kept through a
 * failed report. Its cost on the request path (target: p99 under 20 µs per count) is measured by `npm run bench`
 * (bench/src/micro.ts), not here: a timed test fails on a busy machine and proves nothing on a quiet one.
 */
import { createServer, type Server } from "node:http";
import { parse } from "graphql";
import type { FieldAccess } from "@ndx/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUsageCounts, type UsageRecord } from "../src/usage/usageCounts.ts";
import { createUsageReport, usageConsumer } from "../src/usage/usageReport.ts";
import { logger } from "./harness.ts";

const fields: readonly FieldAccess[] = Object.freeze([
  { provider: "registry", field: "Query.person", classification: "PUBLIC" },
  { provider: "drp", field: "Person.permanentAddress", classification: "PERSONAL" },
]);
const named = parse("query CitizenProfile($nic: String!) { person(nic: $nic) { permanentAddress } }");
const anonymous = parse("{ person(nic: \"199012345678\") { permanentAddress } }");

describe("usage counts", () => {
  it("counts per operation, consumer and field, with nothing personal", () => {
    const counts = createUsageCounts(() => Date.parse("2026-12-06T10:00:00Z"));
    counts.count(named, "CitizenProfile", "passport-app", fields);
    counts.count(named, "CitizenProfile", "passport-app", fields);
    counts.count(anonymous, null, "benefits-app", fields);
    expect(counts.size).toBe(2);
    const records = counts.drain();
    expect(records).toContainEqual({ operation: "CitizenProfile", consumer: "passport-app", provider: "drp", coordinate: "Person.permanentAddress", count: 2, lastSeen: "2026-12-06T10:00:00.000Z" });
    const hashed = records.filter((r) => r.consumer === "benefits-app");
    expect(hashed).toHaveLength(2);
    expect(hashed[0]?.operation).toMatch(/^sha256:[0-9a-f]{16}$/);
    // No citizen identifier from the document or its variables ever reaches a record.
    expect(JSON.stringify(records)).not.toContain("199012345678");
    expect(counts.drain()).toEqual([]);
  });

  it("names staff and citizens by kind only", () => {
    expect(usageConsumer({ caller: "consumer", consumer: "passport-app" })).toBe("passport-app");
    expect(usageConsumer({ caller: "staff", consumer: "exchange.admin" })).toBe("staff");
  });
});

describe("usage reports", () => {
  let server: Server;
  let url = "";
  let failing = false;
  const received: { token: string | undefined; records: UsageRecord[] }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (failing) {
          res.writeHead(503).end();
          return;
        }
        received.push({ token: req.headers.authorization, records: (JSON.parse(body) as { records: UsageRecord[] }).records });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it("posts the counts with the service token, keeps them through a failed report, and sends the rest at close", async () => {
    const report = createUsageReport({ url, serviceToken: "svc-token", logger, intervalMs: 60_000 });
    report.count(named, "CitizenProfile", "passport-app", fields);
    failing = true;
    await report.flush();
    expect(received).toEqual([]);
    failing = false;
    report.count(named, "CitizenProfile", "passport-app", fields);
    await report.close();
    expect(received.map((r) => r.token)).toEqual(["Bearer svc-token"]);
    const address = received[0]?.records.filter((r) => r.coordinate === "Person.permanentAddress") ?? [];
    expect(address.reduce((n, r) => n + r.count, 0)).toBe(2);
  });
});
