/**
 * Pausing and resuming (issue 18): the citizen holds an active consent back without ending it, and later lets it be
 * used again. A pause is announced as a revision and answered, like a revocation, only once it holds on every
 * gateway following the stream (no cached "yes" can still be used); a check then says the fields are withheld as
 * PAUSED (the gateway's CONSENT_PAUSED). A resume is announced too; the consent's expiry is not moved.
 */
import { conflict } from "./apiError.ts";
import type { RevokedConsent } from "./consentRevocation.ts";
import { effectiveStatus, type ConsentView } from "./consentView.ts";
import type { Acting, Guard, Transition } from "./consentTransition.ts";

/** A pause's answer: as a revocation's, given once it holds everywhere. */
export type PausedConsent = RevokedConsent;

export interface ConsentPause {
  pause(id: string, acting: Acting, guard?: Guard): Promise<PausedConsent>;
  resume(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
}

export function createPause(transition: Transition): ConsentPause {
  return {
    async pause(id, acting, guard) {
      const { view, settlement } = await transition(id, acting, guard, (row, at) => {
        const status = effectiveStatus(row, at);
        if (status !== "ACTIVE") throw conflict(`Only an active consent can be paused; this one is ${status}`, { status });
        return { to: "PAUSED", change: { status: "PAUSED", pausedAt: at }, announce: "paused" };
      });
      if (settlement === undefined) throw new Error("a pause was not announced");
      const { at, acknowledged, lapsed, waitedMs } = settlement;
      return { ...view, effectiveEverywhere: true, effectiveAt: at.toISOString(), gateways: { acknowledged, lapsed, waitedMs } };
    },
    async resume(id, acting, guard) {
      const { view } = await transition(id, acting, guard, (row, at) => {
        const status = effectiveStatus(row, at);
        if (status !== "PAUSED") throw conflict(`Only a paused consent can be resumed; this one is ${status}`, { status });
        return { to: "ACTIVE", change: { status: "ACTIVE" }, announce: "resumed" };
      }, true);
      return view;
    },
  };
}
