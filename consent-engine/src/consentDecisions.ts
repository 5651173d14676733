/**
 * The citizen's answer to a pending request: grant it for a number of days (at most the purpose's maximum in the
 * exchange's register), announced as a new revision, or refuse it. A request past its expiry or already answered
 * cannot be answered. A grant needs the application as registered now: not suspended, the purpose still registered
 * (FORBIDDEN otherwise; 503 while the register is stale). A refusal never depends on the register.
 */
import { ApiError, badInput, conflict } from "./apiError.ts";
import type { ConsentRow } from "./consentStore.ts";
import { effectiveStatus, type ConsentView } from "./consentView.ts";
import type { Acting, Guard, Transition } from "./consentTransition.ts";
import { purposeOf, type RegisterApplication } from "./register/applicationRegister.ts";
import { askingApplication } from "./scopeRequest.ts";

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

/** The purpose as registered now: the longest grant it allows, and the text the citizen read. */
function grantable(row: ConsentRow, application: RegisterApplication | undefined): { maxDays: number; text: string } {
  const purpose = purposeOf(askingApplication(application, row.consumerId), row.purpose);
  if (purpose === undefined) {
    const reason = "purpose no longer registered";
    throw new ApiError("FORBIDDEN", reason, { details: { consumerId: row.consumerId, purpose: row.purpose, reasons: [reason] } });
  }
  return { maxDays: purpose.maxConsentDays, text: purpose.text };
}

/** `application`: the current registration (ApplicationRegister.current, which refuses while the register is stale). */
export function createDecisions(transition: Transition, application: (id: string) => RegisterApplication | undefined): ConsentDecisions {
  return {
    async grant(id, acting, guard) {
      const { view } = await transition(id, acting, guard, (row, at) => {
        mustBePending(row, at);
        const { maxDays: max, text } = grantable(row, application(row.consumerId));
        const days = acting.durationDays;
        if (!Number.isInteger(days) || days < 1 || days > max) {
          throw badInput(`durationDays must be a whole number of days from 1 to ${max} for this purpose`, { maxDurationDays: max });
        }
        // A consent that starts later lasts its days from its start.
        const from = row.terms.start !== null && row.terms.start > at ? row.terms.start : at;
        return {
          to: "ACTIVE",
          change: { status: "ACTIVE", decidedAt: at, grantedAt: at, expiresAt: new Date(from.getTime() + days * 86_400_000), purposeText: text },
          announce: "granted",
          detail: { durationDays: days },
        };
      }, true);
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
