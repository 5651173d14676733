/**
 * No "Did you mean …" where introspection is off (production). graphql-js suggests field, argument, type and enum
 * value names in validation and variable-coercion errors, which hands the schema out piece by piece to anyone — no
 * token needed, since validation comes before the access plugin. Apollo Router and Hive strip them when introspection
 * is off; so does this, for every error of every response, whoever asks.
 */
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

const suggestion = / ?Did you mean [^]*\?$/;

/** The message without graphql-js's trailing suggestion. */
function withoutSuggestion(message: string): string {
  return message.replace(suggestion, "");
}

function scrub(errors: readonly unknown[] | undefined): void {
  for (const error of errors ?? []) {
    const e = error as GraphQLError;
    if (typeof e.message === "string" && suggestion.test(e.message)) e.message = withoutSuggestion(e.message);
  }
}

/** A yoga plugin: every error message of a response loses its "Did you mean …?". */
export function useNoSuggestions(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Symbol.asyncIterator in result) return; // no subscriptions or incremental delivery here
      for (const one of Array.isArray(result) ? result : [result]) scrub(one.errors);
    },
  };
}
