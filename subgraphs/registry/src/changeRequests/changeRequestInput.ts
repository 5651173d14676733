/**
 * Checks of what a change-request mutation was given, before anything is read or written: each problem is a
 * BAD_USER_INPUT naming the argument and saying what is expected.
 */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import type { ChangeOperation } from "./changeRequestStore.ts";
import type { RegisterCatalogue, RegisterDefinition } from "../registers/registerMetadata.ts";

export interface SubmitChangeRequestArgs {
  readonly register: string;
  readonly operation: ChangeOperation;
  readonly recordId?: string | null;
  readonly baseVersion?: number | null;
  readonly payload?: unknown;
  readonly reason: string;
  readonly idempotencyKey: string;
}

export interface Submission {
  readonly register: RegisterDefinition;
  readonly operation: ChangeOperation;
  /** As given (for a create in a keyed register: the key field's value). */
  readonly recordId: string | undefined;
  readonly baseVersion: number | null;
  readonly payload: Readonly<Record<string, unknown>> | null;
  readonly reason: string;
  readonly idempotencyKey: string;
}

export const bad = (message: string, argument: string, extra: Record<string, unknown> = {}): GraphQLError =>
  ndxError("BAD_USER_INPUT", message, { details: { argument, ...extra }, httpStatus: false });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A register by name, or BAD_USER_INPUT listing the known ones. */
export function parseRegister(catalogue: RegisterCatalogue, name: string, argument: string): RegisterDefinition {
  const register = catalogue.get(name);
  if (register === undefined) {
    const known = catalogue.registers.map((r) => r.name);
    throw bad(`Unknown register "${name.slice(0, 60)}"; the registers are: ${known.join(", ")}`, argument, { known });
  }
  return register;
}

export function parseText(value: string | null | undefined, argument: string, max: number): string {
  const text = (value ?? "").trim();
  if (text === "") throw bad(`${argument} must not be empty`, argument);
  if (text.length > max) throw bad(`${argument} must be at most ${max} characters`, argument);
  return text;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseChangeRequestId(value: string, argument = "id"): string {
  if (!uuid.test(value)) throw bad(`${argument} is not a change request id`, argument);
  return value.toLowerCase();
}

export function parseSubmission(catalogue: RegisterCatalogue, input: SubmitChangeRequestArgs): Submission {
  const register = parseRegister(catalogue, input.register, "input.register");
  const key = input.idempotencyKey.trim();
  if (!/^[\x21-\x7e]{8,200}$/.test(key)) {
    throw bad(
      "input.idempotencyKey must be 8 to 200 printable characters without spaces, unique per submission (a UUID will do); a retry sends the same key",
      "input.idempotencyKey",
    );
  }
  const reason = parseText(input.reason, "input.reason", 2000);
  const recordId = input.recordId ?? undefined;
  const baseVersion = input.baseVersion ?? null;
  const payload = input.payload ?? null;
  if (payload !== null && !isObject(payload)) throw bad("input.payload must be a JSON object of the record's fields", "input.payload");
  if (recordId !== undefined && (recordId.length === 0 || recordId.length > 200)) {
    throw bad("input.recordId must be 1 to 200 characters", "input.recordId");
  }

  switch (input.operation) {
    case "CREATE": {
      if (payload === null) throw bad("A create needs input.payload: the whole new record", "input.payload");
      if (baseVersion !== null) throw bad("A create has no input.baseVersion: there is no record yet", "input.baseVersion");
      const keyField = register.keyField;
      if (keyField === undefined && recordId !== undefined) {
        throw bad(`The ${register.name} register assigns record ids itself; leave input.recordId out of a create`, "input.recordId");
      }
      if (keyField !== undefined && recordId !== undefined && payload[keyField] !== recordId) {
        throw bad(`input.recordId must equal the payload's ${keyField}, the key of ${register.name} records`, "input.recordId");
      }
      const id = keyField === undefined ? undefined : typeof payload[keyField] === "string" ? payload[keyField] : undefined;
      return { register, operation: "CREATE", recordId: id, baseVersion: null, payload, reason, idempotencyKey: key };
    }
    case "UPDATE":
    case "DELETE": {
      if (recordId === undefined) throw bad(`A ${input.operation.toLowerCase()} needs input.recordId`, "input.recordId");
      if (baseVersion === null || !Number.isInteger(baseVersion) || baseVersion < 1) {
        throw bad(
          `A ${input.operation.toLowerCase()} needs input.baseVersion: the version of the record you reviewed (a positive integer)`,
          "input.baseVersion",
        );
      }
      if (input.operation === "DELETE" && payload !== null) throw bad("A delete has no input.payload", "input.payload");
      if (input.operation === "UPDATE" && (payload === null || Object.keys(payload).length === 0)) {
        throw bad("An update needs input.payload: the fields to change (null removes an optional field)", "input.payload");
      }
      return { register, operation: input.operation, recordId, baseVersion, payload, reason, idempotencyKey: key };
    }
    default:
      throw bad("input.operation must be CREATE, UPDATE or DELETE", "input.operation");
  }
}
