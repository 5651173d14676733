import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import {
  encodeCursor,
  parseCursor,
  parseDate,
  parseDistrict,
  parseNic,
  parsePageSize,
} from "./inputs.ts";
import type { Person } from "../persons/personStore.ts";
import type { RegistryContext } from "./context.ts";
import { changeRequestResolvers } from "./changeRequestResolvers.ts";
import { jsonScalar } from "./jsonScalar.ts";
import { registerResolvers } from "./registerResolvers.ts";

interface PeopleArgs {
  filter?: { district?: string | null; bornFrom?: string | null; bornTo?: string | null } | null;
  first?: number | null;
  after?: string | null;
}

export function createResolvers(known: { districts: ReadonlySet<string> }): GraphQLResolverMap<RegistryContext> {
  return {
    Query: {
      person: (_: unknown, args: { nic: string }, ctx: RegistryContext) =>
        ctx.personByNic.load(parseNic(args.nic)),

      people: async (_: unknown, args: PeopleArgs, ctx: RegistryContext) => {
        const filter = {
          district: parseDistrict(args.filter?.district, known.districts),
          bornFrom: parseDate(args.filter?.bornFrom, "filter.bornFrom"),
          bornTo: parseDate(args.filter?.bornTo, "filter.bornTo"),
        };
        const limit = parsePageSize(args.first);
        const afterNic = parseCursor(args.after);
        const rows = await ctx.people.list({ ...filter, afterNic, limit: limit + 1 });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          edges: page.map((node) => ({ cursor: encodeCursor(node.nic), node })),
          pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor(last.nic) : null },
          totalCount: () => ctx.people.count(filter),
        };
      },

      districts: () => [...known.districts].sort(),

      ...registerResolvers.Query,
      ...changeRequestResolvers.Query,
    },

    Mutation: changeRequestResolvers.Mutation,
    JSON: jsonScalar,
    RegisterRecord: registerResolvers.RegisterRecord,
    ChangeRequest: changeRequestResolvers.ChangeRequest,
    DuplicateCandidate: changeRequestResolvers.DuplicateCandidate,

    Person: {
      __resolveReference: (ref: { nic: string }, ctx: RegistryContext): Promise<Person | null> =>
        // An entity key that is not a valid NIC cannot exist in the register.
        /^\d{12}$/.test(ref.nic) ? ctx.personByNic.load(ref.nic) : Promise.resolve(null),
    },
  };
}
