/** Reading records of any register for the API: plain fields and sensitive ones decrypted with the cached data keys. */
import type { Queryable } from "@ndx/platform";
import type { FieldCipher } from "../keys/fieldCipher.ts";
import { historyOf, type HistoryOperation } from "./recordHistory.ts";
import { recordStorageFor, type StoredRecord } from "./recordStorage.ts";
import type { RegisterDefinition } from "../registers/registerMetadata.ts";

export interface RecordView {
  readonly register: string;
  readonly id: string;
  readonly version: number;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RecordVersionView {
  readonly version: number;
  readonly operation: HistoryOperation;
  readonly changeRequestId: string | null;
  readonly submittedBy: string;
  readonly approvedBy: string | null;
  readonly at: string;
  readonly data: Record<string, unknown> | null;
}

export function createRecordReader(db: Queryable, cipher: FieldCipher) {
  const view = (register: RegisterDefinition, r: StoredRecord): RecordView => ({
    register: register.name,
    id: r.id,
    version: r.version,
    data: cipher.open(register.name, r.id, r.plain, r.sealed),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
  return {
    async byIds(register: RegisterDefinition, ids: readonly string[]): Promise<RecordView[]> {
      return (await recordStorageFor(register).getMany(db, ids)).map((r) => view(register, r));
    },
    async list(register: RegisterDefinition, afterId: string | undefined, limit: number): Promise<RecordView[]> {
      return (await recordStorageFor(register).list(db, afterId, limit)).map((r) => view(register, r));
    },
    count: (register: RegisterDefinition): Promise<number> => recordStorageFor(register).count(db),
    async history(register: RegisterDefinition, id: string): Promise<RecordVersionView[]> {
      return (await historyOf(db, register.name, [id])).map((h) => ({
        version: h.version,
        operation: h.operation,
        changeRequestId: h.changeRequestId,
        submittedBy: h.submittedBy,
        approvedBy: h.approvedBy,
        at: h.at,
        data: h.plain === null ? null : cipher.open(register.name, id, h.plain, h.sealed ?? {}),
      }));
    },
  };
}

export type RecordReader = ReturnType<typeof createRecordReader>;
