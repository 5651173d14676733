import { mutationResolvers } from "./mutationResolvers.ts";
import { queryResolvers } from "./queryResolvers.ts";
import { typeResolvers } from "./typeResolvers.ts";

export const resolvers = { Query: queryResolvers, Mutation: mutationResolvers, ...typeResolvers };
