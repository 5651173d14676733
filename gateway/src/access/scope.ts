/**
 * The scope of one operation, computed before execution from the document, its variables and the supergraph: every
 * (provider, Type.field) it reads — through fragments, inline fragments, aliases and @skip/@include — each with its
 * data class, and the citizen(s) it is about, taken from the `@subject` argument (literal or variable). Naming a
 * citizen makes them a subject whatever is selected: a selection that reads nothing personal about them (only
 * `__typename`, or public fields) still learns whether they exist, and counts as reading their identity (`Person.nic`).
 *
 * The walk over the document is done once per operation (`planScope`); each request only applies the plan to its
 * variables (`applyScopePlan`): which conditional selections hold, and which citizen each subject argument names.
 * `createScopes` keeps the plans of the documents yoga has parsed (its parse cache hands back the same document for
 * the same query text), so a request of a known shape walks nothing. Without conditions on variables, a plan's
 * field lists are frozen arrays shared by every request of that shape.
 */
import {
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import type { FieldAccess } from "@ndx/policy";
import type { FieldCatalogue, FieldInfo } from "./fieldCatalogue.ts";

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

/** An @skip or @include whose `if` is not a literal: decided per request. */
interface Condition {
  readonly skip: boolean;
  readonly value: ValueNode;
}

interface PlannedRoot {
  readonly name: string;
  /** The `@subject` argument's value, when the field has one and it was given. */
  readonly subject: ValueNode | undefined;
  /**
   * For a root field with a `@subject` argument: its entity's key field (`Person.nic`). Naming a citizen reads at
   * least whether they exist (`__typename`, or null for an unknown one), so a selection that reads nothing personal
   * about them reads this.
   */
  readonly identity: FieldAccess | undefined;
  readonly conditions: readonly Condition[];
  /** The fields read under this root selection, once each (frozen; used when the plan has no conditions). */
  readonly fields: readonly FieldAccess[];
}

interface PlannedField {
  readonly access: FieldAccess;
  readonly root: number;
  readonly conditions: readonly Condition[];
}

/** What the document alone says about an operation's scope. */
export interface ScopePlan {
  readonly operation: Scope["operation"];
  readonly roots: readonly PlannedRoot[];
  /** Every field occurrence in document order, with the conditions on its path. */
  readonly reads: readonly PlannedField[];
  /** No condition depends on a variable: `fields` and each root's fields hold for every request. */
  readonly unconditional: boolean;
  readonly fields: readonly FieldAccess[];
}

const personal = (f: FieldAccess) => f.classification === "PERSONAL" || f.classification === "SENSITIVE";

const onceEach = (accesses: Iterable<FieldAccess>): readonly FieldAccess[] => {
  const byKey = new Map<string, FieldAccess>();
  for (const a of accesses) byKey.set(a.field, a);
  return Object.freeze([...byKey.values()]);
};

/** Walks the operation once: its root selections, the fields under each, and the conditions on their paths. */
export function planScope(catalogue: FieldCatalogue, document: DocumentNode, operation: OperationDefinitionNode): ScopePlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const rootType = operation.operation === OperationTypeNode.QUERY ? "Query" : operation.operation === OperationTypeNode.MUTATION ? "Mutation" : "Subscription";
  const roots: {
    name: string;
    subject: ValueNode | undefined;
    identity: FieldAccess | undefined;
    conditions: readonly Condition[];
    fields: FieldAccess[];
  }[] = [];
  const reads: PlannedField[] = [];
  const accessOf = new Map<string, FieldAccess>();
  const accessFor = (info: FieldInfo): FieldAccess => {
    let access = accessOf.get(info.key);
    if (access === undefined) {
      access = Object.freeze({ provider: info.providers[0] ?? "gateway", field: info.key, classification: info.classification });
      accessOf.set(info.key, access);
    }
    return access;
  };

  // Literal conditions are decided here (undefined: the selection is never included); the others are kept.
  const conditionsOf = (node: { directives?: readonly DirectiveNode[] | undefined }, outer: readonly Condition[]) => {
    let conditions = outer;
    for (const d of node.directives ?? []) {
      if (d.name.value !== "skip" && d.name.value !== "include") continue;
      const skip = d.name.value === "skip";
      const arg = d.arguments?.find((a) => a.name.value === "if");
      if (arg !== undefined && arg.value.kind === Kind.VARIABLE) {
        conditions = [...conditions, { skip, value: arg.value }];
        continue;
      }
      const value = arg === undefined ? false : Boolean(valueFromASTUntyped(arg.value, {}));
      if (skip === value) return undefined;
    }
    return conditions;
  };

  const visit = (
    selectionSet: SelectionSetNode,
    parentType: string,
    root: number,
    outer: readonly Condition[],
    seenFragments: ReadonlySet<string>,
  ): void => {
    for (const selection of selectionSet.selections) {
      const conditions = conditionsOf(selection, outer);
      if (conditions === undefined) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, selection.typeCondition?.name.value ?? parentType, root, conditions, seenFragments);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment === undefined || seenFragments.has(name)) continue;
        visit(fragment.selectionSet, fragment.typeCondition.name.value, root, conditions, new Set([...seenFragments, name]));
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      const info = catalogue.field(parentType, name);
      let fieldRoot = root;
      if (parentType === rootType) {
        const argName = catalogue.subjectArgument(rootType, name);
        const arg = argName === undefined ? undefined : selection.arguments?.find((a) => a.name.value === argName);
        const key = argName === undefined ? undefined : catalogue.identity(namedTypeOf(parentType, name) ?? "");
        const identity = key === undefined ? undefined : accessFor(key);
        fieldRoot = roots.push({ name, subject: arg?.value, identity, conditions, fields: [] }) - 1;
      }
      // A root field that only leads somewhere (person, people, vehicle) is not itself data; its selections are.
      const isAccessor = parentType === rootType && info?.returnsComposite === true;
      if (info !== undefined && !isAccessor && fieldRoot >= 0) {
        const access = accessFor(info);
        reads.push({ access, root: fieldRoot, conditions });
        roots[fieldRoot]?.fields.push(access);
      }
      if (selection.selectionSet !== undefined) {
        const childType = namedTypeOf(parentType, name);
        if (childType !== undefined) visit(selection.selectionSet, childType, fieldRoot, conditions, seenFragments);
      }
    }
  };
  const namedTypeOf = (parentType: string, name: string): string | undefined => {
    const target = catalogue.schema.getType(parentType);
    const fieldDef = target !== undefined && "getFields" in target ? target.getFields()[name] : undefined;
    return fieldDef === undefined ? undefined : fieldDef.type.toString().replaceAll(/[[\]!]/g, "");
  };

  visit(operation.selectionSet, rootType, -1, [], new Set());
  const unconditional = reads.every((r) => r.conditions.length === 0) && roots.every((r) => r.conditions.length === 0);
  if (unconditional) {
    // Known now which roots read nothing personal about their citizen: those read the citizen's identity.
    roots.forEach((root, i) => {
      if (root.identity === undefined || root.subject === undefined || root.fields.some(personal)) return;
      root.fields.push(root.identity);
      reads.push({ access: root.identity, root: i, conditions: [] });
    });
  }
  return {
    operation: operation.operation,
    roots: roots.map((r) => ({ ...r, fields: onceEach(r.fields) })),
    reads,
    unconditional,
    fields: onceEach(reads.map((r) => r.access)),
  };
}

/** The scope of one request: the plan with its variables. */
export function applyScopePlan(plan: ScopePlan, variables: Variables, options: ScopeOptions = {}): Scope {
  const { subjectPattern = /^\d{12}$/ } = options;
  const vars = variables ?? {};
  const holds = (conditions: readonly Condition[]) =>
    conditions.every((c) => Boolean(valueFromASTUntyped(c.value, vars)) !== c.skip);
  const rootFields: string[] = [];
  const invalid: string[] = [];
  // Per root selection: false when a condition excludes it, else the citizen it names (undefined: none).
  const subjectOf = plan.roots.map((root): string | undefined | false => {
    if (!holds(root.conditions)) return false;
    rootFields.push(root.name);
    if (root.subject === undefined) return undefined;
    const value = valueFromASTUntyped(root.subject, vars);
    if (typeof value === "string" && subjectPattern.test(value)) return value;
    invalid.push(String(value));
    return undefined;
  });

  const subjects = new Map<string, readonly FieldAccess[]>();
  if (plan.unconditional) {
    // The plan's own frozen lists, merged only when several root selections name the same citizen.
    plan.roots.forEach((root, i) => {
      const nic = subjectOf[i];
      // A citizen is in the scope for what is read about them; a subject root reads at least their identity.
      if (typeof nic !== "string" || root.fields.length === 0) return;
      const known = subjects.get(nic);
      subjects.set(nic, known === undefined ? root.fields : onceEach([...known, ...root.fields]));
    });
    return { operation: plan.operation, rootFields, fields: plan.fields, subjects, invalidSubjects: invalid };
  }
  const held = plan.reads.filter((r) => subjectOf[r.root] !== false && holds(r.conditions));
  // A root that, with these variables, reads nothing personal about its citizen reads the citizen's identity.
  const readsPersonal = new Set(held.filter((r) => personal(r.access)).map((r) => r.root));
  plan.roots.forEach((root, i) => {
    if (root.identity !== undefined && root.subject !== undefined && subjectOf[i] !== false && !readsPersonal.has(i)) {
      held.push({ access: root.identity, root: i, conditions: [] });
    }
  });
  const perSubject = new Map<string, FieldAccess[]>();
  for (const r of held) {
    const nic = subjectOf[r.root];
    if (typeof nic !== "string") continue;
    const mine = perSubject.get(nic);
    if (mine === undefined) perSubject.set(nic, [r.access]);
    else mine.push(r.access);
  }
  for (const [nic, accesses] of perSubject) subjects.set(nic, onceEach(accesses));
  return { operation: plan.operation, rootFields, fields: onceEach(held.map((r) => r.access)), subjects, invalidSubjects: invalid };
}

export function computeScope(
  catalogue: FieldCatalogue,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  options: ScopeOptions = {},
): Scope {
  return applyScopePlan(planScope(catalogue, document, operation), variables, options);
}

export interface Scopes {
  /** The scope of a request; the operation's plan is made on its first request and kept with its document. */
  of(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): Scope;
}

/** Scopes over one catalogue, with each parsed document's plans kept as long as the document lives. */
export function createScopes(catalogue: FieldCatalogue, options: ScopeOptions = {}): Scopes {
  const plans = new WeakMap<DocumentNode, Map<OperationDefinitionNode, ScopePlan>>();
  return {
    of(document, operation, variables) {
      let known = plans.get(document);
      if (known === undefined) {
        known = new Map();
        plans.set(document, known);
      }
      let plan = known.get(operation);
      if (plan === undefined) {
        plan = planScope(catalogue, document, operation);
        known.set(operation, plan);
      }
      return applyScopePlan(plan, variables, options);
    },
  };
}
