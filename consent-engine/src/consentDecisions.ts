/**
 * The citizen's answer to a pending request: grant it for a number of days (at most the purpose's maximum), announced
 * as a new revision, or refuse it. A request past its expiry or already answered cannot be answered.
 */
import { badInput, conflict } from "./apiError.ts";
import type { ConsentRow } from "./consentStore.ts";
import { effectiveStatus, type ConsentView } from "./consentView.ts";
import type { Acting, Guard, Transition } from "./consentTransition.ts";

export interface ConsentDecisions {
  grant(id: string, acting: Acting & { readonly durationDays: number }, guard?: Guard): Promise<ConsentView>;
  reject(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
}

function mustBePending(row: ConsentRow, at: Date): void {
  const status = effectiveStatus(row, at);
  if (status === "PENDING") return;
  if (row.status === "PENDING") {
    throw conflict("This consent request has expired unanswered; the application must ask again", { status });
  }
  throw conflict(`This consent request was already answered (${status})`, { status });
}

export function createDecisions(transition: Transition, maxDurationDays: (purpose: string) => number): ConsentDecisions {
  return {
    async grant(id, acting, guard) {
      const { view } = await transition(id, acting, guard, (row, at) => {
        mustBePending(row, at);
        const max = maxDurationDays(row.purpose);
        const days = acting.durationDays;
        if (!Number.isInteger(days) || days < 1 || days > max) {
          throw badInput(`durationDays must be a whole number of days from 1 to ${max} for this purpose`, { maxDurationDays: max });
        }
        return {
          to: "ACTIVE",
          change: { status: "ACTIVE", decidedAt: at, grantedAt: at, expiresAt: new Date(at.getTime() + days * 86_400_000) },
          announce: "granted",
          detail: { durationDays: days },
        };
      });
      return view;
    },
    async reject(id, acting, guard) {
      const { view } = await transition(id, acting, guard, (row, at) => {
        mustBePending(row, at);
        return { to: "REJECTED", change: { status: "REJECTED", decidedAt: at } };
      });
      return view;
    },
  };
}
