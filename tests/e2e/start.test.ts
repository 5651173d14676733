import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "@ndx/platform";
import { partEnvironmentDefaults } from "@ndx/platform/dev";
import { services } from "../../scripts/services.ts";
import { alertMetricNames } from "./alertRules.ts";
import { consumerToken, grant, isListening, startNdx } from "./launcher.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ndx-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function query(gateway: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-purpose": "passport-application" };
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(`${gateway}/graphql`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("npm start", () => {
  it("runs every part, answers through the gateway, and stops everything on Ctrl-C", async () => {
    const ndx = await startNdx(dataDir);
    expect(ndx.output()).toContain("NDX is running.");
    expect(ndx.output()).toContain(`${ndx.urls["gateway"]}/graphql`);

    const gateway = ndx.urls["gateway"] ?? "";
    const person = { query: '{ person(nic: "199012345678") { fullName dateOfBirth district } }' };
    expect((await query(gateway, person)).status).toBe(401);

    // As the README says: a token for passport-app, the citizen's consent, then the answer.
    const token = await consumerToken(ndx.urls["identity-provider"] ?? "", "passport-app");
    const asked = await query(gateway, person, token);
    expect(asked.body["errors"][0].extensions.code).toBe("CONSENT_REQUIRED");
    await grant(ndx.urls["consent-engine"] ?? "", asked.body["errors"][0].extensions.consentRequestId, "199012345678");
    const found = await query(gateway, person, token);
    expect(found).toEqual({
      status: 200,
      body: { data: { person: { fullName: "Chikondi Emmanuel Mulenga", dateOfBirth: "1990-07-22", district: "Ilanga" } } },
    });

    // Every part serves Prometheus text at GET /metrics, without a credential (docs/operations.md).
    expect(Object.keys(ndx.urls).sort()).toEqual(services.map((s) => s.name).sort());
    const exported = new Set<string>();
    for (const [name, url] of Object.entries(ndx.urls)) {
      const metrics = await fetch(`${url}/metrics`);
      const text = await metrics.text();
      for (const [, metric] of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(metric ?? "");
      expect({ name, status: metrics.status, type: metrics.headers.get("content-type") }).toEqual({
        name,
        status: 200,
        type: "text/plain; version=0.0.4; charset=utf-8",
      });
      expect(text, name).toMatch(/^# HELP ndx_\w+_seconds /m);
      expect(text, name).toContain("# TYPE process_cpu_seconds_total counter");
    }
    // The alerting rules an operator loads read only metrics that some part exports (deploy/prometheus/alerts.yml).
    const alerted = alertMetricNames();
    expect(alerted.length).toBeGreaterThan(5);
    expect(alerted.filter((metric) => !exported.has(metric))).toEqual([]);

    // Every part runs with the process settings the images set too (partEnvironment.ts), under the operator's own.
    const parts = readFileSync(`/proc/${String(ndx.process.pid)}/task/${String(ndx.process.pid)}/children`, "utf8").trim().split(/\s+/);
    expect(parts).toHaveLength(services.length);
    for (const pid of parts) {
      const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      for (const [name, value] of Object.entries(partEnvironmentDefaults)) expect(environment, `part ${pid}`).toContain(`${name}=${value}`);
    }

    expect(await ndx.stop()).toBe(0);
    for (const url of Object.values(ndx.urls)) expect(await isListening(url)).toBe(false);
  });

  it("keeps the data on disk across a restart", async () => {
    // The first run left the seeded register in PGlite under the data directory; change a record there directly.
    const db = await openDb({ dataDir: join(dataDir, "registry"), schema: "registry" });
    const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM person");
    expect(count.rows[0]?.n).toBeGreaterThanOrEqual(10_005);
    await db.query("UPDATE person SET district = 'Isamba' WHERE nic = $1", ["197712240099"]);
    await db.close();

    const ndx = await startNdx(dataDir);
    try {
      const token = await consumerToken(ndx.urls["identity-provider"] ?? "", "passport-app");
      const person = { query: '{ person(nic: "197712240099") { district } }' };
      const asked = await query(ndx.urls["gateway"] ?? "", person, token);
      await grant(ndx.urls["consent-engine"] ?? "", asked.body["errors"][0].extensions.consentRequestId, "197712240099");
      const { body } = await query(ndx.urls["gateway"] ?? "", person, token);
      expect(body, JSON.stringify(body)).toEqual({ data: { person: { district: "Isamba" } } });
    } finally {
      expect(await ndx.stop()).toBe(0);
    }
  });
});
