/** The registry's queries and mutations (exchange.graphql): reads for staff, writes checked in schemaRegistry.ts. */
import type { ExchangeContext } from "../graphql/context.ts";
import type { SchemaVersion } from "./versionStore.ts";

type Args<T> = Readonly<T>;
const request = async (ctx: ExchangeContext) => ({ scope: await ctx.scope(), audit: ctx.audit });

export const registryQueryResolvers = {
  async schemaVersions(_: unknown, { subgraph }: Args<{ subgraph: string }>, ctx: ExchangeContext) {
    await ctx.scope();
    return ctx.services.schemaRegistry.list(subgraph);
  },
  async activeSchema(_: unknown, __: unknown, ctx: ExchangeContext) {
    await ctx.scope();
    const active = await ctx.services.schemaRegistry.activeSupergraph();
    if (active === null) throw new Error("the schema registry has no active supergraph");
    const versions: SchemaVersion[] = [];
    for (const [subgraph, number] of Object.entries(active.versions)) {
      const found = (await ctx.services.schemaRegistry.list(subgraph)).find((v) => v.number === number);
      if (found !== undefined) versions.push(found);
    }
    return { ...active, versions };
  },
};

export const registryMutationResolvers = {
  publishSchemaVersion: async (_: unknown, args: Args<{ subgraph: string; sdl: string }>, ctx: ExchangeContext) =>
    ctx.services.schemaRegistry.publish(await request(ctx), args.subgraph, args.sdl),
  activateSchemaVersion: async (_: unknown, args: Args<{ id: string; override?: string | null }>, ctx: ExchangeContext) =>
    ctx.services.schemaRegistry.activate(await request(ctx), args.id, args.override ?? null),
  rollbackSchema: async (_: unknown, args: Args<{ subgraph: string; number: number }>, ctx: ExchangeContext) =>
    ctx.services.schemaRegistry.rollback(await request(ctx), args.subgraph, args.number),
};
