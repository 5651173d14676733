/**
 * The scope of one operation, computed before execution from the document, its variables and the supergraph: every
 * (provider, Type.field) it reads — through fragments, inline fragments, aliases and @skip/@include — each with its
 * data class, and the citizen(s) it is about, taken from the `@subject` argument (literal or variable).
 */
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { FieldAccess } from "@ndx/policy";
import type { FieldCatalogue } from "./fieldCatalogue.ts";

export interface Scope {
  readonly operation: "query" | "mutation" | "subscription";
  /** Root fields selected (for writes: the mutations). */
  readonly rootFields: readonly string[];
  /** Every field read, once each. */
  readonly fields: readonly FieldAccess[];
  /** Citizen → the fields read about them. */
  readonly subjects: ReadonlyMap<string, readonly FieldAccess[]>;
  /** Subject argument values that are not valid citizen identifiers. */
  readonly invalidSubjects: readonly string[];
}

export interface ScopeOptions {
  /** What a citizen identifier looks like. @default /^\d{12}$/ */
  readonly subjectPattern?: RegExp;
}

type Variables = Readonly<Record<string, unknown>> | null | undefined;

export function computeScope(
  catalogue: FieldCatalogue,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  options: ScopeOptions = {},
): Scope {
  const { subjectPattern = /^\d{12}$/ } = options;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const vars = variables ?? {};
  const rootType = operation.operation === "query" ? "Query" : operation.operation === "mutation" ? "Mutation" : "Subscription";

  const all = new Map<string, FieldAccess>();
  const perSubject = new Map<string, Map<string, FieldAccess>>();
  const invalid: string[] = [];
  const rootFields: string[] = [];

  const included = (node: { directives?: readonly import("graphql").DirectiveNode[] | undefined }): boolean => {
    for (const d of node.directives ?? []) {
      if (d.name.value !== "skip" && d.name.value !== "include") continue;
      const arg = d.arguments?.find((a) => a.name.value === "if");
      const value = arg === undefined ? false : Boolean(valueFromASTUntyped(arg.value, vars));
      if (d.name.value === "skip" && value) return false;
      if (d.name.value === "include" && !value) return false;
    }
    return true;
  };

  const visit = (
    selectionSet: SelectionSetNode,
    parentType: string,
    subject: string | undefined,
    seenFragments: ReadonlySet<string>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, selection.typeCondition?.name.value ?? parentType, subject, seenFragments);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment === undefined || seenFragments.has(name)) continue;
        visit(fragment.selectionSet, fragment.typeCondition.name.value, subject, new Set([...seenFragments, name]));
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      const info = catalogue.field(parentType, name);
      let fieldSubject = subject;
      if (parentType === rootType) {
        rootFields.push(name);
        const argName = catalogue.subjectArgument(rootType, name);
        const arg = argName === undefined ? undefined : selection.arguments?.find((a) => a.name.value === argName);
        if (arg !== undefined) {
          const value = valueFromASTUntyped(arg.value, vars);
          if (typeof value === "string" && subjectPattern.test(value)) fieldSubject = value;
          else invalid.push(String(value));
        }
      }
      // A root field that only leads somewhere (person, people, vehicle) is not itself data; its selections are.
      const isAccessor = parentType === rootType && info?.returnsComposite === true;
      if (info !== undefined && !isAccessor) {
        const access: FieldAccess = {
          provider: info.providers[0] ?? "gateway",
          field: info.key,
          classification: info.classification,
        };
        all.set(access.field, access);
        if (fieldSubject !== undefined) {
          const mine = perSubject.get(fieldSubject) ?? new Map<string, FieldAccess>();
          mine.set(access.field, access);
          perSubject.set(fieldSubject, mine);
        }
      }
      if (selection.selectionSet !== undefined) {
        const target = catalogue.schema.getType(parentType);
        const fieldDef = target !== undefined && "getFields" in target ? target.getFields()[name] : undefined;
        const childType = fieldDef === undefined ? undefined : fieldDef.type.toString().replaceAll(/[[\]!]/g, "");
        if (childType !== undefined) visit(selection.selectionSet, childType, fieldSubject, seenFragments);
      }
    }
  };

  visit(operation.selectionSet, rootType, undefined, new Set());
  return {
    operation: operation.operation,
    rootFields,
    fields: [...all.values()],
    subjects: new Map([...perSubject].map(([nic, f]) => [nic, [...f.values()]])),
    invalidSubjects: invalid,
  };
}
