/**
 * Idempotent submission: a submission names an idempotency key, and a replay of that key must come with the very same
 * request (compared by a keyed digest, so the stored digest tells nothing of the payload); it then answers the change
 * request the first one made, and a different request under the same key is a CONFLICT.
 */
import { createHmac } from "node:crypto";
import { ndxError } from "@ndx/platform";
import type { DataKeyRing } from "../keys/dataKeys.ts";
import { canonicalJson } from "../records/canonicalJson.ts";
import type { ChangeRequestRow } from "./changeRequestStore.ts";

/** Keyed digest of a submission to `register` (under the register's index key). */
export function submissionDigest(keys: DataKeyRing, register: string, parts: Record<string, unknown>): string {
  return createHmac("sha256", keys.forRegister(register).indexKey).update(canonicalJson({ register, ...parts })).digest("base64url");
}

/** The answer to a replayed key: the earlier change request when the request is the same, else a CONFLICT. */
export function replayOf(existing: ChangeRequestRow, digest: string, key: string): ChangeRequestRow {
  if (existing.requestDigest === digest) return existing;
  throw ndxError(
    "CONFLICT",
    `Idempotency key "${key}" was already used for change request ${existing.id}, with a different request; use a new key for a new submission`,
    { details: { changeRequestId: existing.id, idempotencyKey: key }, httpStatus: false },
  );
}
