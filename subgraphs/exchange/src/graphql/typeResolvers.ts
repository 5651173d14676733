/** The links between the exchange's types, through the request's loaders. */
import type { Application } from "../applications/applicationStore.ts";
import type { FieldGrant } from "../grants/fieldGrantStore.ts";
import type { GrantRequest, GrantRequestPart } from "../grants/grantRequestStore.ts";
import type { Member } from "../members/memberStore.ts";
import type { ExchangeContext } from "./context.ts";
import { visibleApplicationsOf } from "./queryResolvers.ts";

async function must<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (found === null) throw new Error(`${what} is missing`);
  return found;
}

export const typeResolvers = {
  Member: {
    people: (m: Member, _: unknown, ctx: ExchangeContext) => ctx.peopleOf.load(m.code),
    applications: (m: Member, _: unknown, ctx: ExchangeContext) => visibleApplicationsOf(ctx, [m.code]),
  },
  Application: {
    member: (a: Application, _: unknown, ctx: ExchangeContext) => must(ctx.member.load(a.member), `member ${a.member}`),
    purposes: (a: Application, _: unknown, ctx: ExchangeContext) => ctx.purposesOf.load(a.id),
    grants: (a: Application, _: unknown, ctx: ExchangeContext) => ctx.grantsOf.load(a.id),
  },
  GrantRequest: {
    application: (r: GrantRequest, _: unknown, ctx: ExchangeContext) => must(ctx.application.load(r.application), `application ${r.application}`),
    parts: (r: GrantRequest, _: unknown, ctx: ExchangeContext) => ctx.partsOf.load(r.id),
  },
  GrantRequestPart: {
    // A field the supergraph no longer has keeps its coordinate, classed PERSONAL (fail closed).
    fields: (p: GrantRequestPart, _: unknown, ctx: ExchangeContext) =>
      p.fields.map(
        (coordinate) => ctx.services.catalogue.field(p.provider, coordinate) ?? { provider: p.provider, coordinate, dataClass: "PERSONAL", description: null },
      ),
  },
  FieldGrant: {
    application: (g: FieldGrant, _: unknown, ctx: ExchangeContext) => must(ctx.application.load(g.application), `application ${g.application}`),
    request: (g: FieldGrant, _: unknown, ctx: ExchangeContext) => (g.request === null ? null : ctx.grantRequest.load(g.request)),
  },
};
