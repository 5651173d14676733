/**
 * Run-time policy data for the TypeScript tests: what the gateway derives from the exchange's register for the seeded
 * applications (the same as `consumers` in access_test.rego).
 */
import type { ConsumerPolicyData, PolicyData } from "../src/index.ts";

const passport: ConsumerPolicyData = {
  purposes: { "passport-application": { maxConsentDays: 30 } },
  grants: {
    "passport-application": {
      registry: ["Person.fullName", "Person.dateOfBirth", "Person.district"],
      drp: ["Person.permanentAddress", "Person.profession"],
      dmt: ["Person.vehicles"],
    },
  },
  clearance: "PERSONAL",
  bulkAccess: false,
  suspended: false,
};

const benefits: ConsumerPolicyData = {
  purposes: { "benefit-eligibility": { maxConsentDays: 30 } },
  grants: { "benefit-eligibility": { registry: ["Person.fullName", "Person.dateOfBirth"], drp: ["Person.registeredName", "Person.permanentAddress"] } },
  clearance: "PERSONAL",
  bulkAccess: false,
  suspended: false,
};

export const seededConsumers = { "passport-app": passport, "benefits-app": benefits };

export function registerData(revision: number, consumers: Readonly<Record<string, ConsumerPolicyData>> = seededConsumers): PolicyData {
  return { document: { consumers }, revision: `r${revision}` };
}
