/**
 * The change-request workflow, the only way records are created, changed or deleted: a registrar submits
 * (submission.ts: idempotency.ts, submissionChecks.ts); an approver who is not the submitter approves, the change then
 * applied (changeApplication.ts), or rejects; the submitter may withdraw (decision.ts). Every refusal writes nothing.
 */
import type { ForwardedCaller } from "@ndx/platform";
import type { ChangeRequestDeps } from "./changeRequestDeps.ts";
import { createDecision } from "./decision.ts";
import { createSubmission } from "./submission.ts";

export function createChangeRequests(deps: ChangeRequestDeps) {
  const decide = createDecision(deps);
  return {
    submit: createSubmission(deps),
    approve: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "approve", id, comment),
    reject: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "reject", id, comment),
    withdraw: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "withdraw", id, comment),
  };
}

export type ChangeRequests = ReturnType<typeof createChangeRequests>;
