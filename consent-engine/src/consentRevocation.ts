/** Revoking a consent that is active now; the answer waits for the gateways (RevokedConsent). */
import { conflict } from "./apiError.ts";
import { effectiveStatus, type ConsentView } from "./consentView.ts";
import type { Acting, Guard, Transition } from "./consentTransition.ts";

/**
 * A revocation's answer: given only once it holds on every gateway following the revision stream (each acknowledged
 * it, or its cache could no longer be trusted: revisionFollowers.ts), so no query answered after it reads the data.
 */
export type RevokedConsent = ConsentView & {
  readonly effectiveEverywhere: true;
  /** From when no gateway could answer from a cached "yes" any more. */
  readonly effectiveAt: string;
  /** Gateways that acknowledged the revocation, and those that did not and were waited out to their deadline. */
  readonly gateways: { readonly acknowledged: number; readonly lapsed: number; readonly waitedMs: number };
};

export function createRevocation(transition: Transition): (id: string, acting: Acting, guard?: Guard) => Promise<RevokedConsent> {
  return async function revoke(id, acting, guard) {
    const { view: revoked, settlement } = await transition(id, acting, guard, (row, at) => {
      const status = effectiveStatus(row, at);
      if (status !== "ACTIVE" && status !== "PAUSED") throw conflict(`Only an active or paused consent can be revoked; this one is ${status}`, { status });
      return { to: "REVOKED", change: { status: "REVOKED", revokedAt: at }, announce: "revoked" };
    });
    if (settlement === undefined) throw new Error("a revocation was not announced");
    const { at, acknowledged, lapsed, waitedMs } = settlement;
    return { ...revoked, effectiveEverywhere: true, effectiveAt: at.toISOString(), gateways: { acknowledged, lapsed, waitedMs } };
  };
}
