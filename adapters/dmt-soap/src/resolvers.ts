import { parseNic } from "@ndx/adapter-kit";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { DmtContext } from "./context.ts";
import { parseRegNo } from "./inputs.ts";

export const resolvers: GraphQLResolverMap<DmtContext> = {
  Query: {
    async vehicle(_: unknown, args: { regNo: unknown }, ctx: DmtContext) {
      const record = await ctx.vehicleByRegNo.load(parseRegNo(args.regNo));
      return ctx.mapper.map("Vehicle", record);
    },
  },
  Person: {
    __resolveReference: (ref: { nic: unknown }) => ({ nic: ref.nic }),
    // Loaded here rather than in __resolveReference, so that a DMT failure nulls `vehicles` only.
    async vehicles(person: { nic: unknown }, _: unknown, ctx: DmtContext) {
      const records = await ctx.vehiclesByOwner.load(parseNic(person.nic));
      return records.map((record) => ctx.mapper.map("Vehicle", record));
    },
  },
};
