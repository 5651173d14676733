/**
 * Limits on introspection where it is on (development). graphql-armor's depth and cost limits leave `__schema` out —
 * GraphiQL's own introspection query is deeper and costlier than any consumer's — so introspection gets limits of its
 * own: at most `maxOfTypeDepth` nested `ofType` on any path (GraphiQL's query nests 9; 40 is an attack), and
 * `__schema` asked for once per request (15 aliased copies made a 396 KB answer). graphql-js 16.9+ already applies
 * MaxIntrospectionDepthRule (lists of fields, interfaces, possible types, input fields nested at most twice) in its
 * specifiedRules, which every validation here runs. The alias limit counts introspection's aliases as any others.
 */
import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface IntrospectionLimits {
  /** Most `ofType` nested on one path of an introspection query. @default 9 (graphql-js's getIntrospectionQuery) */
  readonly maxOfTypeDepth?: number;
}

/** The most `ofType` nested on any path below `set`, fragments followed (each measured once; a cycle counts 0). */
function ofTypeDepth(set: SelectionSetNode | undefined, context: ValidationContext, memo: Map<string, number>): number {
  let deepest = 0;
  for (const selection of set?.selections ?? []) {
    let below: number;
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      if (!memo.has(name)) {
        memo.set(name, 0); // in progress: a cycle (refused by NoFragmentCyclesRule) adds nothing
        memo.set(name, ofTypeDepth(context.getFragment(name)?.selectionSet, context, memo));
      }
      below = memo.get(name) ?? 0;
    } else {
      below = ofTypeDepth(selection.selectionSet, context, memo);
      if (selection.kind === Kind.FIELD && selection.name.value === "ofType") below += 1;
    }
    deepest = Math.max(deepest, below);
  }
  return deepest;
}

function ofTypeDepthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, number>();
    return {
      OperationDefinition(node) {
        if (ofTypeDepth(node.selectionSet, context, memo) > max) {
          context.reportError(new GraphQLError(`Introspection nests "ofType" deeper than ${max} levels`, { nodes: node }));
        }
        return false;
      },
    };
  };
}

/** `__schema` at most once per document, aliased or not (fragments included: they are counted where written). */
const oneSchemaRule: ValidationRule = (context: ValidationContext): ASTVisitor => {
  let seen = 0;
  return {
    [Kind.FIELD](node) {
      if (node.name.value !== "__schema") return;
      seen += 1;
      if (seen === 2) context.reportError(new GraphQLError("Introspection may ask for __schema only once per request", { nodes: node }));
    },
  };
};

/** A yoga plugin adding the introspection limits to validation. */
export function useIntrospectionLimits(limits: IntrospectionLimits = {}): Plugin {
  const rules = [ofTypeDepthRule(limits.maxOfTypeDepth ?? 9), oneSchemaRule];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
