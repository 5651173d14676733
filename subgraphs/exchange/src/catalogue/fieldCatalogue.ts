/**
 * The fields grants can name: read once from the composed supergraph (SUPERGRAPH_PATH). Each object type's field with
 * the provider (subgraph) that resolves it (`@join__field(graph:)`, or every `@join__type` graph of its type when it
 * has none, as for an entity's key) and its data class (`@classified`; undeclared is PERSONAL). Left out: the
 * exchange's own types and fields (nobody is granted the exchange's administration) and Mutation fields (a grant is
 * a grant to read).
 */
import { readFileSync } from "node:fs";
import { buildASTSchema, isEnumType, isObjectType, Kind, parse, type ConstDirectiveNode } from "graphql";

export type DataClass = "PUBLIC" | "INTERNAL" | "PERSONAL" | "SENSITIVE";

export interface CatalogueField {
  readonly provider: string;
  /** `Type.field` */
  readonly coordinate: string;
  readonly dataClass: DataClass;
  readonly description: string | null;
}

export interface FieldCatalogue {
  /** Every field, optionally of one provider, ordered by provider then coordinate. */
  fields(provider?: string): readonly CatalogueField[];
  field(provider: string, coordinate: string): CatalogueField | undefined;
  /** The subgraph names of the supergraph that serve data (the exchange itself excluded). */
  readonly providers: readonly string[];
}

/** The exchange's own subgraph name: its fields are not grantable. */
export const exchangeGraph = "exchange";
const classes: readonly string[] = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"];

function arg(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind === Kind.STRING || value?.kind === Kind.ENUM) return value.value;
  if (value?.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

export function buildFieldCatalogue(supergraphSdl: string): FieldCatalogue {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const graphs = new Map<string, string>();
  const joinGraph = schema.getType("join__Graph");
  if (isEnumType(joinGraph)) {
    for (const v of joinGraph.getValues()) {
      const d = v.astNode?.directives?.find((x) => x.name.value === "join__graph");
      const name = d === undefined ? undefined : arg(d, "name");
      graphs.set(v.name, typeof name === "string" ? name : v.name.toLowerCase());
    }
  }
  const graphOf = (d: ConstDirectiveNode) => {
    const g = arg(d, "graph");
    return typeof g === "string" ? graphs.get(g) : undefined;
  };
  const all: CatalogueField[] = [];
  const mutation = schema.getMutationType()?.name;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name === mutation || /^(__|join__|link__)/.test(type.name)) continue;
    const typeGraphs = (type.astNode?.directives ?? []).filter((d) => d.name.value === "join__type").map(graphOf);
    for (const f of Object.values(type.getFields())) {
      const directives = f.astNode?.directives ?? [];
      const joined = directives.filter((d) => d.name.value === "join__field" && arg(d, "external") !== true);
      const providers = new Set((joined.length > 0 ? joined.map(graphOf) : typeGraphs).filter((g) => g !== undefined));
      const classified = directives.find((d) => d.name.value === "classified");
      const declared = classified === undefined ? undefined : arg(classified, "as");
      const dataClass = (typeof declared === "string" && classes.includes(declared) ? declared : "PERSONAL") as DataClass;
      for (const provider of providers) {
        if (provider === exchangeGraph) continue;
        all.push({ provider, coordinate: `${type.name}.${f.name}`, dataClass, description: f.description ?? null });
      }
    }
  }
  all.sort((a, b) => a.provider.localeCompare(b.provider) || a.coordinate.localeCompare(b.coordinate));
  const byKey = new Map(all.map((f) => [`${f.provider}\u0000${f.coordinate}`, f]));
  const byProvider = new Map<string, CatalogueField[]>();
  for (const f of all) byProvider.set(f.provider, [...(byProvider.get(f.provider) ?? []), f]);
  return {
    fields: (provider) => (provider === undefined ? all : (byProvider.get(provider) ?? [])),
    field: (provider, coordinate) => byKey.get(`${provider}\u0000${coordinate}`),
    providers: [...graphs.values()].filter((g) => g !== exchangeGraph).sort(),
  };
}

export function loadFieldCatalogue(path: string): FieldCatalogue {
  return buildFieldCatalogue(readFileSync(path, "utf8"));
}
