/**
 * Deciding a pending change request: an approver who is not its submitter approves (the change is applied in the same
 * transaction, with its history row and outbox event) or rejects (maker-checker); only its submitter may withdraw it.
 * The states it may move between are changeRequestStates.ts's; every refusal writes nothing.
 */
import { ndxError, type ForwardedCaller } from "@ndx/platform";
import { appendOutbox, reserveOutboxPosition } from "../events/outbox.ts";
import { applyChange } from "./changeApplication.ts";
import { changeRequestNotFound } from "./changeRequestErrors.ts";
import { parseChangeRequestId, parseText } from "./changeRequestInput.ts";
import { nextStatus, type ChangeRequestAction } from "./changeRequestStates.ts";
import { changeRequestStore as store, type ChangeRequestRow } from "./changeRequestStore.ts";
import type { ChangeRequestDeps } from "./changeRequestDeps.ts";
import { requireStaff, type Staff } from "./staffCaller.ts";

export type Decide = (caller: ForwardedCaller | undefined, action: ChangeRequestAction, id: string, comment: string | null | undefined) => Promise<ChangeRequestRow>;

export function createDecision(deps: ChangeRequestDeps): Decide {
  const { db } = deps;
  return async (caller, action, rawId, rawComment) => {
    const staff: Staff =
      action === "withdraw"
        ? requireStaff(caller, ["registrar"], "withdraw a change request")
        : requireStaff(caller, ["approver"], `${action} a change request`);
    const id = parseChangeRequestId(rawId);
    const comment = action === "withdraw" && (rawComment ?? "").trim() === "" ? null : parseText(rawComment, "comment", 2000);
    return db.transaction(async (tx) => {
      const cr = await store.byId(tx, id, { forUpdate: true });
      if (cr === undefined) throw changeRequestNotFound(id);
      if (action === "withdraw" && cr.submittedBy !== staff.id) {
        throw ndxError("FORBIDDEN", `Only ${cr.submittedBy}, who submitted change request ${id}, may withdraw it`, {
          details: { changeRequestId: id },
          httpStatus: false,
        });
      }
      if (action !== "withdraw" && cr.submittedBy === staff.id) {
        throw ndxError("FORBIDDEN", `${staff.id} submitted change request ${id} and so may not ${action} it: another approver must decide (maker-checker)`, {
          details: { changeRequestId: id },
          httpStatus: false,
        });
      }
      const status = nextStatus(id, cr.status, action);
      let appliedVersion: number | null = null;
      if (action === "approve") {
        // First the outbox position: its row lock orders the appliers, so events commit in position order.
        const position = await reserveOutboxPosition(tx);
        const applied = await applyChange(tx, deps, cr, staff.id);
        appliedVersion = applied.version;
        await appendOutbox(tx, position, {
          type: applied.type,
          register: cr.register,
          recordId: cr.recordId,
          version: applied.version,
          changeRequestId: cr.id,
          submittedBy: cr.submittedBy,
          approvedBy: staff.id,
          changedFields: applied.changedFields,
        });
      }
      await store.decide(tx, id, { status, by: staff.id, comment, appliedVersion });
      await store.addTransition(tx, { changeRequestId: id, from: cr.status, to: status, by: staff.id, roles: staff.roles, comment });
      const after = await store.byId(tx, id);
      if (after === undefined) throw changeRequestNotFound(id);
      return after;
    });
  };
}
