/**
 * Applying an approved change request to its register, inside the approval's transaction: the record is checked
 * against its base version and validated again, written with its version bumped, its history row and duplicate-index
 * entries written beside it. Any refusal throws, and the whole transaction — approval included — is rolled back.
 */
import { ndxError, type Queryable } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import { canonicalJson } from "../records/canonicalJson.ts";
import type { ChangeRequestRow } from "./changeRequestStore.ts";
import type { FieldCipher } from "../keys/fieldCipher.ts";
import type { MatchIndex } from "../records/matchIndex.ts";
import type { RecordEventType } from "../events/outbox.ts";
import { appendHistory, nextCreatedVersion } from "../records/recordHistory.ts";
import { recordStorageFor } from "../records/recordStorage.ts";
import { invalidRecord, violationsOf } from "../records/recordValidation.ts";
import type { RegisterCatalogue, RegisterDefinition } from "../registers/registerMetadata.ts";

export interface ApplyDeps {
  readonly catalogue: RegisterCatalogue;
  readonly cipher: FieldCipher;
  readonly index: MatchIndex;
}

export interface AppliedChange {
  readonly version: number;
  readonly type: RecordEventType;
  readonly changedFields: readonly string[];
}

type Fields = Readonly<Record<string, unknown>>;

/** An update's payload over the record: fields given replace, a null removes an optional field. */
export function mergePatch(record: Fields, patch: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete out[field];
    else out[field] = value;
  }
  return out;
}

export function changedFields(before: Fields, after: Fields): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((f) => canonicalJson(before[f]) !== canonicalJson(after[f]))
    .sort();
}

/** The key field of a keyed register is the record's id: an update may not change it. */
export function keepsItsKey(register: RegisterDefinition, recordId: string, after: Fields): void {
  const keyField = register.keyField;
  if (keyField !== undefined && after[keyField] !== recordId) {
    throw ndxError("BAD_USER_INPUT", `${keyField} is the id of ${register.name} records and cannot be changed; create a new record instead`, {
      details: { register: register.name, violations: [{ field: keyField, problem: "cannot be changed" }] },
      httpStatus: false,
    });
  }
}

const conflict = (message: string, details: Record<string, unknown>): GraphQLError =>
  ndxError("CONFLICT", message, { details, httpStatus: false });

function staleBase(cr: Pick<ChangeRequestRow, "id" | "register" | "recordId" | "baseVersion">, current: number | null): GraphQLError {
  const now = current === null ? "no longer exists" : `is now at version ${current}`;
  return conflict(
    `Change request ${cr.id} is based on version ${cr.baseVersion} of ${cr.register} record ${cr.recordId}, which ${now}; ` +
      "nothing was changed. Reject or withdraw it, and submit the change again against the current record.",
    { changeRequestId: cr.id, register: cr.register, recordId: cr.recordId, baseVersion: cr.baseVersion, currentVersion: current },
  );
}

async function checkIdentifiers(tx: Queryable, deps: ApplyDeps, register: RegisterDefinition, recordId: string, record: Fields) {
  const clashes = await deps.index.identifierClashes(tx, register, record, recordId);
  const first = clashes[0];
  if (first !== undefined) {
    throw conflict(
      `Cannot apply: ${first.field} already identifies ${register.name} record ${first.recordId}; an identifier belongs to one record only. Nothing was changed.`,
      { register: register.name, recordId, clashes },
    );
  }
}

export async function applyChange(tx: Queryable, deps: ApplyDeps, cr: ChangeRequestRow, approvedBy: string): Promise<AppliedChange> {
  const register = deps.catalogue.get(cr.register);
  if (register === undefined) {
    throw conflict(`Register ${cr.register} is no longer defined; change request ${cr.id} cannot be applied`, { register: cr.register });
  }
  const { cipher, index } = deps;
  const storage = recordStorageFor(register);
  const payload = cr.payload === null ? null : cipher.open(register.name, cr.recordId, cr.payload, cr.sealedPayload);
  const current = await storage.get(tx, cr.recordId, { forUpdate: true });
  const history = { register: register.name, recordId: cr.recordId, changeRequestId: cr.id, submittedBy: cr.submittedBy, approvedBy };

  const validate = (record: Fields) => {
    const violations = violationsOf(register, record);
    if (violations.length > 0) throw invalidRecord(register, violations, "record this change request would make");
  };

  if (cr.operation === "CREATE") {
    if (current !== undefined) {
      throw conflict(`${register.name} record ${cr.recordId} already exists (version ${current.version}); nothing was changed`, {
        register: register.name,
        recordId: cr.recordId,
        currentVersion: current.version,
      });
    }
    const record = payload ?? {};
    validate(record);
    await checkIdentifiers(tx, deps, register, cr.recordId, record);
    const version = await nextCreatedVersion(tx, register.name, cr.recordId);
    const { plain, sealed } = cipher.seal(register.name, cr.recordId, register.sensitiveFields, record);
    if (!(await storage.insert(tx, cr.recordId, version, plain, sealed))) {
      throw conflict(`${register.name} record ${cr.recordId} already exists; nothing was changed`, { register: register.name, recordId: cr.recordId });
    }
    await appendHistory(tx, [{ ...history, version, operation: "CREATE", plain, sealed }]);
    await index.replace(tx, register, cr.recordId, record);
    return { version, type: "record.created", changedFields: Object.keys(record).sort() };
  }

  if (current === undefined || current.version !== cr.baseVersion) throw staleBase(cr, current?.version ?? null);
  const before = cipher.open(register.name, cr.recordId, current.plain, current.sealed);

  if (cr.operation === "UPDATE") {
    const after = mergePatch(before, payload ?? {});
    keepsItsKey(register, cr.recordId, after);
    validate(after);
    await checkIdentifiers(tx, deps, register, cr.recordId, after);
    const { plain, sealed } = cipher.seal(register.name, cr.recordId, register.sensitiveFields, after);
    if (!(await storage.update(tx, cr.recordId, current.version, plain, sealed))) throw staleBase(cr, null);
    const version = current.version + 1;
    await appendHistory(tx, [{ ...history, version, operation: "UPDATE", plain, sealed }]);
    await index.replace(tx, register, cr.recordId, after);
    return { version, type: "record.updated", changedFields: changedFields(before, after) };
  }

  if (!(await storage.remove(tx, cr.recordId, current.version))) throw staleBase(cr, null);
  const version = current.version + 1;
  await appendHistory(tx, [{ ...history, version, operation: "DELETE", plain: null, sealed: null }]);
  await index.replace(tx, register, cr.recordId, null);
  return { version, type: "record.deleted", changedFields: Object.keys(before).sort() };
}
