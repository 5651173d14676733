/**
 * GraphQL's own refusals of a request — parameters of the wrong type, a syntax error, a document that does not
 * validate — carry our BAD_USER_INPUT code and HTTP 400, rather than yoga's BAD_REQUEST /
 * GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, and never reach a plugin as a value of the wrong type.
 */
import { GraphQLError } from "graphql";
import { ndxError } from "./errors.ts";

function asBadUserInput(error: GraphQLError): void {
  const extensions = error.extensions as Record<string, unknown>;
  extensions["code"] = "BAD_USER_INPUT";
  const http = (extensions["http"] ?? {}) as Record<string, unknown>;
  extensions["http"] = { ...http, status: 400 };
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const isMap = (value: unknown): boolean => typeof value === "object" && value !== null && !Array.isArray(value);

/** What the GraphQL-over-HTTP spec allows for each parameter (null and absent always allowed). */
const expected: Readonly<Record<string, { readonly ok: (value: unknown) => boolean; readonly what: string }>> = {
  query: { ok: (v) => typeof v === "string", what: "a string" },
  operationName: { ok: (v) => typeof v === "string", what: "a string" },
  variables: { ok: isMap, what: "a map" },
  extensions: { ok: isMap, what: "a map" },
};

/** The first parameter of the wrong type, as a 400 BAD_USER_INPUT naming it; undefined when all are right. */
export function paramTypeError(params: Readonly<Record<string, unknown>>): GraphQLError | undefined {
  for (const [name, rule] of Object.entries(expected)) {
    const value = params[name];
    if (value === undefined || value === null || rule.ok(value)) continue;
    return ndxError("BAD_USER_INPUT", `The "${name}" parameter must be ${rule.what} or null, not ${typeName(value)}`);
  }
  return undefined;
}

export function useInputErrorCodes() {
  return {
    onParams({ params }: { params: unknown }) {
      // A GET's or an array body's params are checked by yoga itself; here an object's members.
      if (!isMap(params)) return;
      const error = paramTypeError(params as Record<string, unknown>);
      if (error !== undefined) throw error;
    },
    onParse() {
      return ({ result }: { result: unknown }) => {
        if (result instanceof GraphQLError) asBadUserInput(result);
      };
    },
    onValidate() {
      return ({ valid, result }: { valid: boolean; result: readonly GraphQLError[] }) => {
        if (!valid) for (const error of result) asBadUserInput(error);
      };
    },
  };
}
