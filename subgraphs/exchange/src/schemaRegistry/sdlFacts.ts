/**
 * What our rules read from a subgraph SDL, without building a schema (federation directives stay undeclared): each
 * `Type.field` of an object or interface type (extensions included) with its `@classified` class, if declared, and the
 * names of its arguments that carry `@subject`.
 */
import { Kind, type DocumentNode, type FieldDefinitionNode } from "graphql";
import type { DataClass } from "../catalogue/fieldCatalogue.ts";

export interface FieldFacts {
  /** undefined: no `@classified` (the gateway treats it as PERSONAL). */
  readonly dataClass: DataClass | undefined;
  readonly subjectArguments: readonly string[];
  readonly description: string | null;
}

const classes: readonly string[] = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"];

/** PUBLIC 0 … SENSITIVE 3; undeclared is PERSONAL. */
export const dataClassRank = (c: DataClass | undefined): number => classes.indexOf(c ?? "PERSONAL");

function classOf(field: FieldDefinitionNode): DataClass | undefined {
  const directive = field.directives?.find((d) => d.name.value === "classified");
  const value = directive?.arguments?.find((a) => a.name.value === "as")?.value;
  return value?.kind === Kind.STRING && classes.includes(value.value) ? (value.value as DataClass) : undefined;
}

export function sdlFacts(document: DocumentNode): Map<string, FieldFacts> {
  const facts = new Map<string, FieldFacts>();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      facts.set(`${definition.name.value}.${field.name.value}`, {
        dataClass: classOf(field),
        subjectArguments: (field.arguments ?? []).filter((a) => a.directives?.some((d) => d.name.value === "subject")).map((a) => a.name.value),
        description: field.description?.value ?? null,
      });
    }
  }
  return facts;
}
