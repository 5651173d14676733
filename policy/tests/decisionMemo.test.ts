import { beforeAll, describe, expect, it } from "vitest";
import { buildBundle, loadAccessPolicy, memoiseDecisions, type AccessInput, type AccessPolicy, type DataClass } from "../src/index.ts";
import { registerData } from "./registerData.ts";

const base: AccessInput = {
  caller: "consumer",
  operation: "query",
  consumer: { id: "passport-app" },
  purpose: "passport-application",
  subjects: ["199012345678"],
  fields: [{ provider: "registry", field: "Person.fullName", classification: "PERSONAL" }],
  consent: { covered: true, consentIds: ["c1"] },
  time: { iso: "2026-11-23T12:00:00.000Z", weekday: "Monday", hour: 12, timezone: "UTC" },
};

describe("remembering decisions by what the policy reads", () => {
  const counting = () => {
    const seen: AccessInput[] = [];
    const evaluate = memoiseDecisions(
      (input) => (seen.push(input), { allow: true, reasons: [], consentRequired: false }),
      { read: [["consumer", "id"], ["time", "hour"], ["purpose"]], counted: [["subjects"]], maxEntries: 3 },
    );
    return { seen, evaluate };
  };

  it("evaluates once for requests that differ only in what the policy does not read", () => {
    const { seen, evaluate } = counting();
    evaluate(base);
    evaluate({ ...base, subjects: ["198505150011"], consent: { covered: true, consentIds: ["c2"] } });
    evaluate({ ...base, time: { ...base.time, iso: "2026-11-23T12:59:59.000Z" } });
    expect(seen).toHaveLength(1);
  });

  it("evaluates again when anything it reads differs: the consumer, the hour, how many citizens", () => {
    const { seen, evaluate } = counting();
    evaluate(base);
    evaluate({ ...base, consumer: { id: "benefits-app" } });
    evaluate({ ...base, time: { ...base.time, hour: 13 } });
    evaluate({ ...base, subjects: ["1", "2"] });
    expect(seen).toHaveLength(4);
  });

  it("tells a missing value from null", () => {
    const { seen, evaluate } = counting();
    const { purpose: _, ...withoutPurpose } = base;
    evaluate(withoutPurpose);
    evaluate({ ...base, purpose: undefined });
    evaluate({ ...base, purpose: null as unknown as string });
    // undefined and absent are the same to the policy (JSON has no undefined); null is not.
    expect(seen).toHaveLength(2);
  });

  it("keys a changed list by its new content; a list frozen all the way down may be read once", () => {
    // What each evaluation was asked about, as it was then.
    const seen: string[][] = [];
    const evaluate = memoiseDecisions((input) => (seen.push((input.fields ?? []).map((f) => f.field)), { allow: true, reasons: [], consentRequired: false }), {
      read: [["fields"]],
      counted: [],
    });
    const fields = [{ provider: "registry", field: "Person.fullName", classification: "PERSONAL" as DataClass }];
    evaluate({ ...base, fields });
    fields.push({ provider: "drp", field: "Person.permanentAddress", classification: "PERSONAL" });
    evaluate({ ...base, fields });
    // Frozen on the outside only: its element can still change, so it is keyed afresh each time.
    const personal: DataClass = "PERSONAL";
    const shallow = Object.freeze([{ provider: "drp", field: "Person.profession", classification: personal }]);
    evaluate({ ...base, fields: shallow });
    (shallow[0] as { field: string }).field = "Person.photo";
    evaluate({ ...base, fields: shallow });
    const frozen = Object.freeze([Object.freeze({ provider: "dmt", field: "Person.vehicles", classification: personal })]);
    evaluate({ ...base, fields: frozen });
    evaluate({ ...base, fields: frozen });
    evaluate({ ...base, fields: [...frozen] });
    expect(seen).toEqual([
      ["Person.fullName"],
      ["Person.fullName", "Person.permanentAddress"],
      ["Person.profession"],
      ["Person.photo"],
      ["Person.vehicles"],
    ]);
  });

  it("forgets the oldest beyond its bound, and hands out decisions nobody can change", () => {
    const { seen, evaluate } = counting();
    for (const hour of [1, 2, 3, 4]) evaluate({ ...base, time: { ...base.time, hour } });
    evaluate({ ...base, time: { ...base.time, hour: 1 } });
    expect(seen).toHaveLength(5);
    const decision = evaluate(base);
    expect(Object.isFrozen(decision) && Object.isFrozen(decision.reasons)).toBe(true);
  });
});

describe("the compiled policy, remembered and not", () => {
  let memoised: AccessPolicy;
  let fresh: AccessPolicy;
  beforeAll(async () => {
    buildBundle();
    memoised = await loadAccessPolicy(undefined, { data: registerData(1) });
    fresh = await loadAccessPolicy(undefined, { memoise: false, data: registerData(1) });
  });

  it("is memoised for our policy, and says so", () => {
    expect(memoised.memo).toEqual({ on: true });
    expect(fresh.memo).toEqual({ on: false, why: "turned off" });
  });

  it("gives exactly the decision a fresh evaluation gives, over every combination, asked twice in any order", () => {
    const consumers = ["passport-app", "benefits-app", "unknown-app"];
    const purposes = ["passport-application", "benefit-eligibility", undefined];
    const fieldSets: [string, string, DataClass][][] = [
      [["registry", "Person.fullName", "PERSONAL"]],
      [["dmt", "Person.vehicles", "PERSONAL"], ["drp", "Person.profession", "SENSITIVE"]],
      [["registry", "Person.district", "PUBLIC"]],
      [["registry", "ChangeRequest.status", "INTERNAL"]],
    ];
    const callers: AccessInput["caller"][] = ["consumer", "staff", "citizen"];
    const inputs: AccessInput[] = [];
    for (const caller of callers)
      for (const id of consumers)
        for (const purpose of purposes)
          for (const fields of fieldSets)
            for (const covered of [true, false])
              for (const n of [0, 1, 11])
                for (const [weekday, hour] of [["Monday", 12], ["Sunday", 3]] as const)
                  inputs.push({
                    caller,
                    operation: "query",
                    consumer: { id },
                    roles: caller === "staff" ? ["registrar"] : [],
                    purpose,
                    subjects: Array.from({ length: n }, (_, i) => String(199000000000 + i + inputs.length)),
                    fields: fields.map(([provider, field, classification]) => ({ provider, field, classification })),
                    consent: { covered },
                    time: { iso: new Date().toISOString(), weekday, hour, timezone: "UTC" },
                  });
    const shuffled = [...inputs, ...inputs].sort(() => Math.random() - 0.5);
    const differing = shuffled.filter((input) => JSON.stringify(memoised.evaluate(input)) !== JSON.stringify(fresh.evaluate(input)));
    expect(differing).toEqual([]);
    // The grid holds allowed, forbidden and consent-required requests alike.
    const kinds = new Set(inputs.map((i) => { const d = fresh.evaluate(i); return d.allow ? "allow" : d.consentRequired ? "consent" : "deny"; }));
    expect([...kinds].sort()).toEqual(["allow", "consent", "deny"]);
  });
});
