/**
 * Validation of a record against its register's JSON Schema, as a list of violations that name each bad field and
 * say why — never echoing the value, which may be sensitive.
 */
import type { ErrorObject } from "ajv";
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import type { RegisterDefinition } from "../registers/registerMetadata.ts";

export interface Violation {
  /** Path of the field, e.g. `district` or `members[0].nic`. */
  readonly field: string;
  readonly problem: string;
}

function pathOf(instancePath: string, child?: string): string {
  const parts = instancePath.split("/").slice(1).map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (child !== undefined) parts.push(child);
  return parts.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out === "" ? part : `${out}.${part}`), "");
}

function violationOf(error: ErrorObject): Violation {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { field: pathOf(error.instancePath, String(params["missingProperty"])), problem: "is required" };
    case "additionalProperties":
      return { field: pathOf(error.instancePath, String(params["additionalProperty"])), problem: "is not a field of this register" };
    case "enum":
      return {
        field: pathOf(error.instancePath),
        problem: `must be one of: ${(params["allowedValues"] as unknown[]).map(String).join(", ")}`,
      };
    case "format":
      return {
        field: pathOf(error.instancePath),
        problem: params["format"] === "date" ? "must be a date as YYYY-MM-DD" : `must be a valid ${String(params["format"])}`,
      };
    case "pattern":
      return { field: pathOf(error.instancePath), problem: `must match the pattern ${String(params["pattern"])}` };
    default:
      return { field: pathOf(error.instancePath) || "(record)", problem: error.message ?? "is invalid" };
  }
}

/** Every violation of the register's schema by `record`, each field once per problem. */
export function violationsOf(register: RegisterDefinition, record: unknown): Violation[] {
  if (register.validate(record)) return [];
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const error of register.validate.errors ?? []) {
    const v = violationOf(error);
    const key = `${v.field}\u0000${v.problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

export function invalidRecord(register: RegisterDefinition, violations: readonly Violation[], when: string): GraphQLError {
  const list = violations.map((v) => `${v.field} ${v.problem}`).join("; ");
  return ndxError("BAD_USER_INPUT", `The ${when} does not fit the ${register.name} register's schema: ${list}`, {
    details: { register: register.name, violations },
    httpStatus: false,
  });
}
