/**
 * GraphQL's own refusals of a request — a syntax error, a document that does not validate — carry DESIGN.md's
 * BAD_USER_INPUT code and HTTP 400, rather than yoga's GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED.
 */
import { GraphQLError } from "graphql";

function asBadUserInput(error: GraphQLError): void {
  const extensions = error.extensions as Record<string, unknown>;
  extensions["code"] = "BAD_USER_INPUT";
  const http = (extensions["http"] ?? {}) as Record<string, unknown>;
  extensions["http"] = { ...http, status: 400 };
}

export function useInputErrorCodes() {
  return {
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
