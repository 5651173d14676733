import { registryMutationResolvers, registryQueryResolvers } from "../schemaRegistry/registryResolvers.ts";
import { mutationResolvers } from "./mutationResolvers.ts";
import { queryResolvers } from "./queryResolvers.ts";
import { typeResolvers } from "./typeResolvers.ts";

export const resolvers = {
  Query: { ...queryResolvers, ...registryQueryResolvers },
  Mutation: { ...mutationResolvers, ...registryMutationResolvers },
  ...typeResolvers,
};
