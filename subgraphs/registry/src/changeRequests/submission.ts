/**
 * Submitting a change request (registrars only): parsed, replayed when its idempotency key was used before, checked
 * against the register, its payload's sensitive fields sealed, then stored with its first transition (PENDING) in one
 * transaction. Nothing is applied to the register until an approver approves (decision.ts).
 */
import { randomUUID } from "node:crypto";
import type { ForwardedCaller } from "@ndx/platform";
import { changeRequestNotFound } from "./changeRequestErrors.ts";
import { parseSubmission, type SubmitChangeRequestArgs } from "./changeRequestInput.ts";
import { changeRequestStore as store, type ChangeRequestRow } from "./changeRequestStore.ts";
import type { ChangeRequestDeps } from "./changeRequestDeps.ts";
import { replayOf, submissionDigest } from "./idempotency.ts";
import { checkSubmission } from "./submissionChecks.ts";
import { requireStaff } from "./staffCaller.ts";

export function createSubmission(deps: ChangeRequestDeps) {
  const { db, catalogue, cipher, keys } = deps;
  return async function submit(caller: ForwardedCaller | undefined, args: SubmitChangeRequestArgs): Promise<ChangeRequestRow> {
    const staff = requireStaff(caller, ["registrar"], "submit a change request");
    const s = parseSubmission(catalogue, args);
    const { register } = s;
    const digest = submissionDigest(keys, register.name, {
      operation: s.operation,
      recordId: s.recordId ?? null,
      baseVersion: s.baseVersion,
      payload: s.payload,
      reason: s.reason,
    });
    const earlier = await store.byIdempotencyKey(db, staff.id, s.idempotencyKey);
    if (earlier !== undefined) return replayOf(earlier, digest, s.idempotencyKey);

    const { recordId, duplicates } = await checkSubmission(db, deps, s);
    const split = s.payload === null ? { plain: null, sealed: {} } : cipher.seal(register.name, recordId, register.sensitiveFields, s.payload);
    const id = randomUUID();
    const inserted = await db.transaction(async (tx) => {
      const ok = await store.insert(tx, {
        id,
        register: register.name,
        recordId,
        operation: s.operation,
        baseVersion: s.baseVersion,
        payload: split.plain,
        sealedPayload: split.sealed,
        reason: s.reason,
        submittedBy: staff.id,
        idempotencyKey: s.idempotencyKey,
        requestDigest: digest,
        duplicates,
      });
      if (ok) await store.addTransition(tx, { changeRequestId: id, from: null, to: "PENDING", by: staff.id, roles: staff.roles, comment: null });
      return ok;
    });
    // Lost a race with the same key: answer as a replay.
    const row = inserted ? await store.byId(db, id) : await store.byIdempotencyKey(db, staff.id, s.idempotencyKey);
    if (row === undefined) throw changeRequestNotFound(id);
    return inserted ? row : replayOf(row, digest, s.idempotencyKey);
  };
}
