import { parseNic } from "@ndx/adapter-kit";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { DrpContext } from "./context.ts";

export const resolvers: GraphQLResolverMap<DrpContext> = {
  Person: {
    // The DRP fields of one person, from the mapping; all null (and no error) when the DRP does not know the NIC.
    async __resolveReference(ref: { nic: unknown }, ctx: DrpContext) {
      const nic = parseNic(ref.nic);
      const record = await ctx.drpPerson.load(nic);
      return { nic, ...(record === null ? ctx.mapper.nulls("Person") : ctx.mapper.map("Person", record)) };
    },
  },
};
