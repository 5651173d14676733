/**
 * What the supergraph says about every field, read once at start-up: which provider (subgraph) resolves it, its data
 * class (`@classified`), and which root-field arguments identify the citizen (`@subject`).
 */
import {
  buildASTSchema,
  isEnumType,
  isObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from "graphql";
import type { DataClass } from "@ndx/policy";

export interface FieldInfo {
  /** `Type.field` */
  readonly key: string;
  readonly providers: readonly string[];
  readonly classification: DataClass;
  /** False when the SDL declared no class: the field is treated as PERSONAL (fail closed). */
  readonly declared: boolean;
  readonly returnsComposite: boolean;
}

export interface FieldCatalogue {
  readonly schema: GraphQLSchema;
  field(type: string, field: string): FieldInfo | undefined;
  /** Root field → name of its argument that identifies the citizen. */
  subjectArgument(rootType: string, field: string): string | undefined;
  /**
   * The key field of an entity type (`Person.nic`), attributed to the subgraph that owns the entity: reading any
   * entity by its subject argument reads at least this (that it exists), whatever else is selected.
   */
  identity(type: string): FieldInfo | undefined;
  /** Fields without a declared class. */
  readonly undeclared: readonly string[];
  /** Every field, in schema order. */
  readonly all: readonly FieldInfo[];
}

const classes: readonly DataClass[] = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"];

function stringArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}

function boolArg(directive: ConstDirectiveNode, name: string): boolean {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.BOOLEAN && value.value;
}

export function buildFieldCatalogue(supergraphSdl: string): FieldCatalogue {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const graphs = new Map<string, string>();
  const joinGraph = schema.getType("join__Graph");
  if (isEnumType(joinGraph)) {
    for (const v of joinGraph.getValues()) {
      const d = v.astNode?.directives?.find((x) => x.name.value === "join__graph");
      graphs.set(v.name, (d && stringArg(d, "name")) ?? v.name.toLowerCase());
    }
  }
  const graphOf = (d: ConstDirectiveNode) => graphs.get(stringArg(d, "graph") ?? "") ?? "";
  const owners = entityOwners(schema, graphOf);
  const fields = new Map<string, FieldInfo>();
  const keys = new Map<string, string>();
  const subjects = new Map<string, string>();
  const undeclared: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || type.name.startsWith("join__") || type.name.startsWith("link__")) continue;
    const joinTypes = (type.astNode?.directives ?? []).filter((d) => d.name.value === "join__type");
    // A field every subgraph of the type can resolve (its key) belongs to the entity's owner first.
    const owner = owners.get(type.name);
    const typeGraphs = joinTypes.map(graphOf).sort((a, b) => Number(b === owner) - Number(a === owner));
    const keyField = joinTypes.map((d) => stringArg(d, "key")).find((k) => k !== undefined && /^\w+$/.test(k));
    if (keyField !== undefined) keys.set(type.name, `${type.name}.${keyField}`);
    for (const f of Object.values(type.getFields())) {
      const directives = f.astNode?.directives ?? [];
      const joined = directives.filter((d) => d.name.value === "join__field" && !boolArg(d, "external"));
      const providers = joined.length > 0 ? joined.map(graphOf) : typeGraphs;
      const classified = directives.find((d) => d.name.value === "classified");
      const declaredClass = classified === undefined ? undefined : stringArg(classified, "as");
      if (declaredClass !== undefined && !(classes as readonly string[]).includes(declaredClass)) {
        throw new Error(`${type.name}.${f.name} has an unknown data class ${declaredClass}`);
      }
      const key = `${type.name}.${f.name}`;
      if (declaredClass === undefined) undeclared.push(key);
      const named = f.type.toString().replaceAll(/[[\]!]/g, "");
      const target = schema.getType(named);
      fields.set(key, {
        key,
        providers: providers.filter((p) => p !== ""),
        classification: (declaredClass as DataClass | undefined) ?? "PERSONAL",
        declared: declaredClass !== undefined,
        returnsComposite: target !== undefined && !("serialize" in target) && !isEnumType(target),
      });
      for (const arg of f.astNode?.arguments ?? []) {
        if (arg.directives?.some((d) => d.name.value === "subject") === true) subjects.set(key, arg.name.value);
      }
    }
  }
  return {
    schema,
    field: (type, field) => fields.get(`${type}.${field}`),
    subjectArgument: (root, field) => subjects.get(`${root}.${field}`),
    identity: (type) => {
      const key = keys.get(type);
      return key === undefined ? undefined : fields.get(key);
    },
    undeclared,
    all: [...fields.values()],
  };
}

/**
 * Entity type → the subgraph that owns it: the one whose root fields return it (`Query.person` is the registry's, so
 * `Person` is the registry's). Other subgraphs only extend it by its key.
 */
function entityOwners(schema: GraphQLSchema, graphOf: (d: ConstDirectiveNode) => string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const f of Object.values(root?.getFields() ?? {})) {
      const joined = f.astNode?.directives?.find((d) => d.name.value === "join__field");
      const named = f.type.toString().replaceAll(/[[\]!]/g, "");
      if (joined !== undefined && !owners.has(named)) owners.set(named, graphOf(joined));
    }
  }
  return owners;
}
