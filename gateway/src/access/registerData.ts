/**
 * The policy's run-time data, derived from the exchange's register: per application its purposes (with their limits),
 * the fields its live grants name per purpose and provider, its clearance, bulk access and suspension. Grants whose
 * end date has passed at `now` are left out, and the earliest end date still ahead is handed back, so the caller can
 * derive again the moment it passes — without waiting for the exchange to say so.
 */
import type { ExchangeRegister } from "@ndx/contracts";
import type { ConsumerPolicyData, PolicyData } from "@ndx/policy";

export interface DerivedPolicyData {
  readonly data: PolicyData;
  /** Epoch ms of the earliest end of a grant still live at `now`; Infinity when none ends. */
  readonly nextEndMs: number;
}

/** The policy data for `register` at `nowMs` (epoch ms). Its revision is `r<register revision>`. */
export function policyDataOf(register: ExchangeRegister, nowMs: number): DerivedPolicyData {
  let nextEndMs = Number.POSITIVE_INFINITY;
  const consumers: Record<string, ConsumerPolicyData> = {};
  for (const app of register.applications) {
    const grants: Record<string, Record<string, string[]>> = {};
    for (const grant of app.grants) {
      const endsAt = Date.parse(grant.endsAt);
      // Unparseable is ended: fail closed.
      if (!(endsAt > nowMs)) continue;
      nextEndMs = Math.min(nextEndMs, endsAt);
      const byProvider = (grants[grant.purpose] ??= {});
      (byProvider[grant.provider] ??= []).push(grant.field);
    }
    consumers[app.id] = {
      purposes: Object.fromEntries(app.purposes.map((p) => [p.code, { maxConsentDays: p.maxConsentDays }])),
      grants,
      clearance: app.clearance,
      bulkAccess: app.bulkAccess,
      suspended: app.status === "SUSPENDED",
    };
  }
  return { data: { document: { consumers }, revision: `r${register.revision}` }, nextEndMs };
}
