/**
 * The personal fields of a composed supergraph, by provider: each object type's `Type.field` resolved by a subgraph
 * (`@join__field(graph:)`, or its type's `@join__type` graphs), classed PERSONAL or SENSITIVE by `@classified`
 * (undeclared counts as PERSONAL, as the gateway treats it), with its SDL description as the label the portal shows.
 * The exchange's own types are never a citizen's data.
 */
import { buildASTSchema, isEnumType, isObjectType, Kind, parse, type ConstDirectiveNode } from "graphql";

const argument = (directive: ConstDirectiveNode, name: string): string | boolean | undefined => {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind === Kind.STRING || value?.kind === Kind.ENUM) return value.value;
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
};

export function personalFieldsOf(supergraphSdl: string): Map<string, Map<string, string>> {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const graphs = new Map<string, string>();
  const joinGraph = schema.getType("join__Graph");
  if (isEnumType(joinGraph)) {
    for (const v of joinGraph.getValues()) {
      const d = v.astNode?.directives?.find((x) => x.name.value === "join__graph");
      const name = d === undefined ? undefined : argument(d, "name");
      graphs.set(v.name, typeof name === "string" ? name : v.name.toLowerCase());
    }
  }
  const graphOf = (d: ConstDirectiveNode) => {
    const g = argument(d, "graph");
    return typeof g === "string" ? graphs.get(g) : undefined;
  };
  const out = new Map<string, Map<string, string>>();
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || roots.has(type.name) || /^(__|join__|link__)/.test(type.name)) continue;
    const typeGraphs = (type.astNode?.directives ?? []).filter((d) => d.name.value === "join__type").map(graphOf);
    for (const f of Object.values(type.getFields())) {
      const directives = f.astNode?.directives ?? [];
      const classified = directives.find((d) => d.name.value === "classified");
      const dataClass = classified === undefined ? "PERSONAL" : argument(classified, "as");
      if (dataClass !== "PERSONAL" && dataClass !== "SENSITIVE") continue;
      const joined = directives.filter((d) => d.name.value === "join__field" && argument(d, "external") !== true);
      for (const provider of new Set((joined.length > 0 ? joined.map(graphOf) : typeGraphs).filter((g) => g !== undefined))) {
        if (provider === "exchange") continue;
        const fields = out.get(provider) ?? new Map<string, string>();
        fields.set(`${type.name}.${f.name}`, f.description ?? `${type.name}.${f.name}`);
        out.set(provider, fields);
      }
    }
  }
  return out;
}
