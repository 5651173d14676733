import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildBundle,
  instantiatePolicy,
  loadAccessPolicy,
  loadPolicyBundle,
  regoDir,
  watchAccessPolicy,
  type AccessInput,
  type AccessPolicy,
} from "../src/index.ts";
import { registerData, seededConsumers } from "./registerData.ts";

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
  policy = await loadAccessPolicy(undefined, { data: registerData(1) });
});

describe("the compiled policy, in process", () => {
  it("allows passport-app with consent and names the bundle revision", () => {
    const decision = policy.evaluate(
      read("passport-app", "passport-application", [["registry", "Person.fullName"], ["dmt", "Person.vehicles"]], true),
    );
    expect(decision).toEqual({ allow: true, reasons: [], consentRequired: false });
    expect(policy.revision).toMatch(/^[0-9a-f]{16}\+r1$/);
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

describe("policy data: static rules in the bundle, consumers from the exchange's register", () => {
  it("builds no consumers or purposes into the bundle: without run-time data every consumer is unknown", async () => {
    const data = JSON.parse(readFileSync(join(regoDir, "data.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(data)).not.toContain("consumers");
    expect(Object.keys(data)).not.toContain("purposes");
    const bare = await loadAccessPolicy();
    expect(bare.purposes.size).toBe(0);
    const decision = bare.evaluate(read("passport-app", "passport-application", [["registry", "Person.fullName"]], true));
    expect(decision.reasons).toContain("passport-app is not a registered consumer");
  });

  it("registers the purposes of the data it is given", () => {
    expect([...policy.purposes].sort()).toEqual(["benefit-eligibility", "passport-application"]);
  });

  it("answers each data revision with its own policy: a decision remembered under one is not reused under the next", () => {
    const bundle = loadPolicyBundle();
    const input = read("benefits-app", "benefit-eligibility", [["dmt", "Person.vehicles"]], true);
    const before = instantiatePolicy(bundle, { data: registerData(7) });
    expect(before.evaluate(input).allow).toBe(false);
    const granted = { ...seededConsumers["benefits-app"], grants: { "benefit-eligibility": { dmt: ["Person.vehicles"] } } };
    const after = instantiatePolicy(bundle, { data: registerData(8, { ...seededConsumers, "benefits-app": granted }) });
    expect(after.evaluate(input)).toEqual({ allow: true, reasons: [], consentRequired: false });
    // The earlier policy keeps answering as it did: its memo and wasm data are its own.
    expect(before.evaluate(input).allow).toBe(false);
    expect([before.revision, after.revision]).toEqual([`${bundle.revision}+r7`, `${bundle.revision}+r8`]);
  });

  it("refuses a suspended application with that reason alone", () => {
    const suspended = instantiatePolicy(loadPolicyBundle(), {
      data: registerData(2, { ...seededConsumers, "passport-app": { ...seededConsumers["passport-app"], suspended: true } }),
    });
    const decision = suspended.evaluate(read("passport-app", "passport-application", [["dmt", "Person.vehicles"]], false));
    expect(decision).toEqual({ allow: false, reasons: ["application suspended"], consentRequired: false });
  });
});

describe("reloading", () => {
  it("swaps in a rebuilt bundle without a restart, and keeps the old one until then", async () => {
    const sources = mkdtempSync(join(tmpdir(), "ndx-rego-"));
    cpSync(regoDir, sources, { recursive: true });
    const out = join(mkdtempSync(join(tmpdir(), "ndx-bundle-")), "dist");
    const first = buildBundle({ sources, outDir: out });
    const reloads: string[] = [];
    const holder = await watchAccessPolicy(out, (e) => e.revision && reloads.push(e.revision), 50, { data: registerData(3) });
    try {
      const input = read("benefits-app", "benefit-eligibility", [["registry", "Person.dateOfBirth"]], true);
      expect(holder.current.evaluate(input).allow).toBe(true);
      const data = JSON.parse(readFileSync(join(sources, "data.json"), "utf8")) as { staffOnlyTypes: string[] };
      data.staffOnlyTypes.push("Person");
      writeFileSync(join(sources, "data.json"), JSON.stringify(data));
      const second = buildBundle({ sources, outDir: out });
      expect(second).not.toBe(first);
      // The new bundle answers with the run-time data set before it.
      await expect.poll(() => holder.current.revision, { timeout: 5000 }).toBe(`${second}+r3`);
      expect(reloads).toEqual([`${second}+r3`]);
      expect(holder.current.evaluate(input).reasons).toEqual(["Person.dateOfBirth is for registry staff only"]);
      // New run-time data: a new policy, on the same bundle.
      holder.setData(registerData(4, {}));
      expect(holder.current.revision).toBe(`${second}+r4`);
      expect(holder.current.evaluate(input).reasons).toContain("benefits-app is not a registered consumer");
    } finally {
      holder.close();
    }
  });
});
