/**
 * What a submission must hold before it is stored, against the register as it is now: a new record is valid (and its
 * likely duplicates are found for the approver); a change or deletion names a record that exists, at the version the
 * registrar reviewed; a change leaves a valid record that keeps its key and differs from the current one.
 */
import { randomUUID } from "node:crypto";
import { ndxError, type Queryable } from "@ndx/platform";
import type { DuplicateCandidate } from "../records/matchIndex.ts";
import { recordStorageFor } from "../records/recordStorage.ts";
import { invalidRecord, violationsOf } from "../records/recordValidation.ts";
import { changedFields, keepsItsKey, mergePatch, type ApplyDeps } from "./changeApplication.ts";
import { bad, type Submission } from "./changeRequestInput.ts";

export interface CheckedSubmission {
  /** The record's id: as given, or a new one for a create that names none. */
  readonly recordId: string;
  /** Records a new one may duplicate (creates only). */
  readonly duplicates: DuplicateCandidate[];
}

export async function checkSubmission(db: Queryable, deps: ApplyDeps, s: Submission): Promise<CheckedSubmission> {
  const { register } = s;
  if (s.operation === "CREATE") {
    const record = s.payload ?? {};
    const violations = violationsOf(register, record);
    if (violations.length > 0) throw invalidRecord(register, violations, "payload");
    return { recordId: s.recordId ?? randomUUID(), duplicates: await deps.index.candidates(db, register, record) };
  }
  const recordId = s.recordId ?? "";
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
    const before = deps.cipher.open(register.name, recordId, current.plain, current.sealed);
    const after = mergePatch(before, s.payload ?? {});
    keepsItsKey(register, recordId, after);
    const violations = violationsOf(register, after);
    if (violations.length > 0) throw invalidRecord(register, violations, "payload");
    if (changedFields(before, after).length === 0) {
      throw bad(`The payload changes nothing in ${register.name} record ${recordId}`, "input.payload");
    }
  }
  return { recordId, duplicates: [] };
}
