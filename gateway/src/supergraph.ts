/** The subgraphs named in a supergraph (`join__Graph`), with their routing URLs. */
import { buildSchema, isEnumType, Kind } from "graphql";

export interface SubgraphRoute {
  readonly name: string;
  readonly url: string;
}

export function subgraphRoutes(supergraphSdl: string, overrides: Readonly<Record<string, string>> = {}): SubgraphRoute[] {
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const graphs = schema.getType("join__Graph");
  if (!isEnumType(graphs)) throw new Error("not a supergraph: join__Graph is missing");
  return graphs.getValues().map((value) => {
    const directive = value.astNode?.directives?.find((d) => d.name.value === "join__graph");
    const arg = (n: string) => {
      const node = directive?.arguments?.find((a) => a.name.value === n)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    const name = arg("name") ?? value.name.toLowerCase();
    return { name, url: overrides[name] ?? arg("url") ?? "" };
  });
}
