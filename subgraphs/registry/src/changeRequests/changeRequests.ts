/**
 * The change-request workflow, the only way records are created, changed or deleted: a registrar submits; an
 * approver who is not the submitter approves (the change is applied in the same transaction, with its history row
 * and outbox event) or rejects; the submitter may withdraw. Every refusal writes nothing.
 */
import { createHmac, randomUUID } from "node:crypto";
import { ndxError, type Db, type ForwardedCaller } from "@ndx/platform";
import { canonicalJson } from "../records/canonicalJson.ts";
import { applyChange, changedFields, keepsItsKey, mergePatch, type ApplyDeps } from "./changeApplication.ts";
import { bad, parseChangeRequestId, parseSubmission, parseText, type SubmitChangeRequestArgs } from "./changeRequestInput.ts";
import { nextStatus, type ChangeRequestAction } from "./changeRequestStates.ts";
import { changeRequestStore as store, type ChangeRequestRow } from "./changeRequestStore.ts";
import type { DataKeyRing } from "../keys/dataKeys.ts";
import type { DuplicateCandidate } from "../records/matchIndex.ts";
import { appendOutbox, reserveOutboxPosition } from "../events/outbox.ts";
import { recordStorageFor } from "../records/recordStorage.ts";
import { invalidRecord, violationsOf } from "../records/recordValidation.ts";
import { requireStaff, type Staff } from "./staffCaller.ts";

export interface ChangeRequestDeps extends ApplyDeps {
  readonly db: Db;
  readonly keys: DataKeyRing;
}

const notFound = (id: string) =>
  ndxError("NOT_FOUND", `There is no change request ${id}`, { details: { changeRequestId: id }, httpStatus: false });

export function createChangeRequests(deps: ChangeRequestDeps) {
  const { db, catalogue, cipher, index, keys } = deps;

  /** Keyed digest of a submission: a replayed idempotency key must come with the very same request. */
  const digestOf = (register: string, parts: Record<string, unknown>) =>
    createHmac("sha256", keys.forRegister(register).indexKey).update(canonicalJson({ register, ...parts })).digest("base64url");

  const replayOf = (existing: ChangeRequestRow, digest: string, key: string): ChangeRequestRow => {
    if (existing.requestDigest === digest) return existing;
    throw ndxError(
      "CONFLICT",
      `Idempotency key "${key}" was already used for change request ${existing.id}, with a different request; use a new key for a new submission`,
      { details: { changeRequestId: existing.id, idempotencyKey: key }, httpStatus: false },
    );
  };

  const decide = async (
    caller: ForwardedCaller | undefined,
    action: ChangeRequestAction,
    rawId: string,
    rawComment: string | null | undefined,
  ): Promise<ChangeRequestRow> => {
    const staff: Staff =
      action === "withdraw"
        ? requireStaff(caller, ["registrar"], "withdraw a change request")
        : requireStaff(caller, ["approver"], `${action} a change request`);
    const id = parseChangeRequestId(rawId);
    const comment = action === "withdraw" && (rawComment ?? "").trim() === "" ? null : parseText(rawComment, "comment", 2000);
    return db.transaction(async (tx) => {
      const cr = await store.byId(tx, id, { forUpdate: true });
      if (cr === undefined) throw notFound(id);
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
      if (after === undefined) throw notFound(id);
      return after;
    });
  };

  return {
    async submit(caller: ForwardedCaller | undefined, args: SubmitChangeRequestArgs): Promise<ChangeRequestRow> {
      const staff = requireStaff(caller, ["registrar"], "submit a change request");
      const s = parseSubmission(catalogue, args);
      const { register } = s;
      const digest = digestOf(register.name, {
        operation: s.operation,
        recordId: s.recordId ?? null,
        baseVersion: s.baseVersion,
        payload: s.payload,
        reason: s.reason,
      });
      const earlier = await store.byIdempotencyKey(db, staff.id, s.idempotencyKey);
      if (earlier !== undefined) return replayOf(earlier, digest, s.idempotencyKey);

      let recordId: string;
      let duplicates: DuplicateCandidate[] = [];
      if (s.operation === "CREATE") {
        const record = s.payload ?? {};
        const violations = violationsOf(register, record);
        if (violations.length > 0) throw invalidRecord(register, violations, "payload");
        recordId = s.recordId ?? randomUUID();
        duplicates = await index.candidates(db, register, record);
      } else {
        recordId = s.recordId ?? "";
        const current = await recordStorageFor(register).get(db, recordId);
        if (current === undefined) {
          throw ndxError("NOT_FOUND", `There is no ${register.name} record ${recordId}`, {
            details: { register: register.name, recordId },
            httpStatus: false,
          });
        }
        if (current.version !== s.baseVersion) {
          throw ndxError(
            "CONFLICT",
            `${register.name} record ${recordId} is at version ${current.version}, not ${s.baseVersion}: review it as it is now and submit again with baseVersion ${current.version}`,
            { details: { register: register.name, recordId, baseVersion: s.baseVersion, currentVersion: current.version }, httpStatus: false },
          );
        }
        if (s.operation === "UPDATE") {
          const before = cipher.open(register.name, recordId, current.plain, current.sealed);
          const after = mergePatch(before, s.payload ?? {});
          keepsItsKey(register, recordId, after);
          const violations = violationsOf(register, after);
          if (violations.length > 0) throw invalidRecord(register, violations, "payload");
          if (changedFields(before, after).length === 0) {
            throw bad(`The payload changes nothing in ${register.name} record ${recordId}`, "input.payload");
          }
        }
      }

      const split =
        s.payload === null ? { plain: null, sealed: {} } : cipher.seal(register.name, recordId, register.sensitiveFields, s.payload);
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
      if (row === undefined) throw notFound(id);
      return inserted ? row : replayOf(row, digest, s.idempotencyKey);
    },

    approve: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "approve", id, comment),
    reject: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "reject", id, comment),
    withdraw: (caller: ForwardedCaller | undefined, id: string, comment: string | null | undefined) => decide(caller, "withdraw", id, comment),
  };
}

export type ChangeRequests = ReturnType<typeof createChangeRequests>;
