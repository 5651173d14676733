/** Reads: exchange administrators see everything; anyone else only what their member and providers concern (visibility.ts). */
import { applicationStore, type Application } from "../applications/applicationStore.ts";
import { sees, seesRequest } from "../applications/visibility.ts";
import { fieldGrantStore } from "../grants/fieldGrantStore.ts";
import { grantRequestStore, type GrantRequestStatus } from "../grants/grantRequestStore.ts";
import { memberStore } from "../members/memberStore.ts";
import type { ExchangeContext } from "./context.ts";

type Args<T> = Readonly<T>;

export async function visibleApplicationsOf(ctx: ExchangeContext, members: readonly string[] | undefined): Promise<Application[]> {
  const visible = await ctx.visibleApplications();
  return (await applicationStore.list(ctx.services.db, { members })).filter((a) => sees(visible, a.id));
}

export const queryResolvers = {
  async members(_: unknown, __: unknown, ctx: ExchangeContext) {
    const scope = await ctx.scope();
    return scope.isExchangeAdmin ? memberStore.all(ctx.services.db) : memberStore.byCodes(ctx.services.db, [...scope.memberOf]);
  },
  async member(_: unknown, { code }: Args<{ code: string }>, ctx: ExchangeContext) {
    const scope = await ctx.scope();
    return scope.isExchangeAdmin || scope.memberOf.has(code) ? ctx.member.load(code) : null;
  },
  applications: (_: unknown, { member }: Args<{ member?: string | null }>, ctx: ExchangeContext) =>
    visibleApplicationsOf(ctx, member === null || member === undefined ? undefined : [member]),
  async application(_: unknown, { id }: Args<{ id: string }>, ctx: ExchangeContext) {
    const visible = await ctx.visibleApplications();
    return sees(visible, id) ? ctx.application.load(id) : null;
  },
  async grantRequests(_: unknown, { status }: Args<{ status?: GrantRequestStatus | null }>, ctx: ExchangeContext) {
    return grantRequestStore.list(ctx.services.db, await ctx.scope(), status ?? null);
  },
  async grantRequest(_: unknown, { id }: Args<{ id: string }>, ctx: ExchangeContext) {
    const scope = await ctx.scope();
    const request = await ctx.grantRequest.load(id);
    if (request === null) return null;
    const providers = (await ctx.partsOf.load(id)).map((p) => p.provider);
    return seesRequest(scope, request.member, providers) ? request : null;
  },
  async grants(_: unknown, args: Args<{ application?: string | null; includeEnded?: boolean | null }>, ctx: ExchangeContext) {
    return fieldGrantStore.list(ctx.services.db, await ctx.scope(), args);
  },
  // PUBLIC: the catalogue of the live supergraph, for anyone the gateway lets ask.
  exchangeFields: (_: unknown, { provider }: Args<{ provider?: string | null }>, ctx: ExchangeContext) =>
    ctx.services.catalogue.fields(provider ?? undefined),
};
