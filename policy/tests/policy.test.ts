import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import { buildBundle, loadAccessPolicy, regoDir, watchAccessPolicy, type AccessInput, type AccessPolicy } from "../src/index.ts";

const time = { iso: "2026-11-23T12:00:00Z", weekday: "Monday", hour: 12, timezone: "Africa/Lusaka" };
const read = (consumer: string, purpose: string, fields: [string, string][], covered: boolean): AccessInput => ({
  caller: "consumer",
  operation: "query",
  consumer: { id: consumer },
  purpose,
  subjects: ["199012345678"],
  fields: fields.map(([provider, field]) => ({ provider, field, classification: "PERSONAL" })),
  consent: { covered },
  time,
});

let policy: AccessPolicy;
beforeAll(async () => {
  buildBundle();
  policy = await loadAccessPolicy();
});

describe("the compiled policy, in process", () => {
  it("allows passport-app with consent and names the bundle revision", () => {
    const decision = policy.evaluate(
      read("passport-app", "passport-application", [["registry", "Person.fullName"], ["dmt", "Person.vehicles"]], true),
    );
    expect(decision).toEqual({ allow: true, reasons: [], consentRequired: false });
    expect(policy.revision).toMatch(/^[0-9a-f]{16}$/);
  });

  it("asks for consent when only consent is missing", () => {
    expect(policy.evaluate(read("passport-app", "passport-application", [["drp", "Person.profession"]], false))).toEqual({
      allow: false,
      reasons: [],
      consentRequired: true,
    });
  });

  it("gives every reason in plain words, as the Rego tests expect (wasm formats them in JavaScript)", () => {
    const purpose = policy.evaluate(read("passport-app", "benefit-eligibility", [["registry", "Person.fullName"]], true));
    expect(purpose.reasons).toEqual(['purpose "benefit-eligibility" is not registered for passport-app']);
    const many = policy.evaluate({
      ...read("passport-app", "passport-application", [["registry", "Person.fullName"]], true),
      subjects: Array.from({ length: 11 }, (_, i) => String(100000000000 + i)),
    });
    expect(many.reasons).toEqual(['purpose "passport-application" allows at most 10 citizens in one request']);
    const subscription = policy.evaluate({ ...read("passport-app", "passport-application", [], true), operation: "subscription" });
    expect(subscription.reasons).toContain('operation type "subscription" is not served');
    const window = policy.evaluate({ ...read("passport-app", "passport-application", [], true), caller: "citizen" });
    expect(window.allow).toBe(false);
  });

  it("forbids benefits-app vehicles and profession whatever the consent, with reasons", () => {
    const decision = policy.evaluate(
      read("benefits-app", "benefit-eligibility", [["dmt", "Person.vehicles"], ["drp", "Person.profession"]], true),
    );
    expect(decision.allow).toBe(false);
    expect(decision.consentRequired).toBe(false);
    expect(decision.reasons).toEqual([
      "benefits-app may not read Person.profession from drp",
      "benefits-app may not read Person.vehicles from dmt",
    ]);
  });
});

describe("policy data", () => {
  it("gives each fixture consumer exactly its registered purposes and readable providers", () => {
    const data = JSON.parse(readFileSync(join(regoDir, "data.json"), "utf8")) as {
      consumers: Record<string, { purposes: string[]; mayRead: Record<string, "*" | string[]> }>;
    };
    // DRP's own name for a person's full name is exposed as Person.registeredName (the registry owns fullName).
    const graphqlName = (provider: string, field: string) =>
      provider === "drp" && field === "Person.fullName" ? "Person.registeredName" : field;
    for (const consumer of loadFarajaland(defaultFixturesFile).consumers) {
      const entry = data.consumers[consumer.id];
      expect(entry?.purposes).toEqual(consumer.purposes);
      const expected = Object.fromEntries(
        Object.entries(consumer.mayRead).map(([p, f]) => [p, f === "*" ? "*" : f.map((x) => graphqlName(p, x))]),
      );
      expect(entry?.mayRead).toEqual(expected);
    }
  });
});

describe("reloading", () => {
  it("swaps in a rebuilt bundle without a restart, and keeps the old one until then", async () => {
    const sources = mkdtempSync(join(tmpdir(), "ndx-rego-"));
    cpSync(regoDir, sources, { recursive: true });
    const out = join(mkdtempSync(join(tmpdir(), "ndx-bundle-")), "dist");
    const first = buildBundle({ sources, outDir: out });
    const reloads: string[] = [];
    const holder = await watchAccessPolicy(out, (e) => e.revision && reloads.push(e.revision), 50);
    try {
      const input = read("benefits-app", "benefit-eligibility", [["drp", "Person.profession"]], true);
      expect(holder.current.evaluate(input).allow).toBe(false);
      const data = JSON.parse(readFileSync(join(sources, "data.json"), "utf8")) as {
        consumers: Record<string, { mayRead: Record<string, unknown> }>;
      };
      const benefits = data.consumers["benefits-app"];
      if (benefits !== undefined) benefits.mayRead["drp"] = "*";
      writeFileSync(join(sources, "data.json"), JSON.stringify(data));
      const second = buildBundle({ sources, outDir: out });
      expect(second).not.toBe(first);
      await expect.poll(() => holder.current.revision, { timeout: 5000 }).toBe(second);
      expect(reloads).toEqual([second]);
      expect(holder.current.evaluate(input).allow).toBe(true);
    } finally {
      holder.close();
    }
  });
});
