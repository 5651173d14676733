/**
 * The access policy as the exchange's register makes it: each register applied becomes the policy's run-time data
 * (a new policy, see @ndx/policy evaluator.ts), and a grant stops counting at its end date without waiting for the
 * exchange — the earliest end date ahead is kept, and the one clock comparison per request that finds it passed
 * derives the data again, before the policy is asked. No I/O on the request path.
 */
import type { ExchangeRegister } from "@ndx/contracts";
import type { AccessPolicy, PolicyHolder } from "@ndx/policy";
import { policyDataOf } from "./registerData.ts";

export interface RegisterPolicy {
  /** The policy in force, derived again first when a grant has ended since the last derivation. */
  readonly current: AccessPolicy;
  /** The register revision applied; -1 before any. */
  readonly revision: number;
  apply(register: ExchangeRegister): void;
}

/** `holder`'s policy with the data of the last register applied; `clock` is wall-clock epoch ms (grant end dates). */
export function createRegisterPolicy(holder: PolicyHolder, clock: () => number = Date.now): RegisterPolicy {
  let register: ExchangeRegister | undefined;
  let nextEndMs = Number.POSITIVE_INFINITY;
  const derive = (from: ExchangeRegister) => {
    const derived = policyDataOf(from, clock());
    holder.setData(derived.data);
    nextEndMs = derived.nextEndMs;
  };
  return {
    get current() {
      if (register !== undefined && clock() >= nextEndMs) derive(register);
      return holder.current;
    },
    get revision() {
      return register?.revision ?? -1;
    },
    apply(next) {
      register = next;
      derive(next);
    },
  };
}
