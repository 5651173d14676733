/** Writes: each one transaction (see history/changes.ts), for the staff member the gateway named. */
import type { ApplicationTranslationsInput } from "../applications/applicationTranslations.ts";
import type { RegisterApplicationInput } from "../applications/applications.ts";
import type { RequestFieldGrantInput } from "../grants/grantRequests.ts";
import { revokeFieldGrant } from "../grants/grantRevocation.ts";
import type { MemberPerson } from "../members/memberStore.ts";
import type { RegisterMemberInput } from "../members/members.ts";
import type { ExchangeContext } from "./context.ts";

type Args<T> = Readonly<T>;

const request = async (ctx: ExchangeContext) => ({ scope: await ctx.scope(), audit: ctx.audit });

export const mutationResolvers = {
  registerMember: async (_: unknown, { input }: Args<{ input: RegisterMemberInput }>, ctx: ExchangeContext) =>
    ctx.services.members.register(await request(ctx), input),
  setMemberPerson: async (_: unknown, args: Args<{ member: string; person: MemberPerson }>, ctx: ExchangeContext) =>
    ctx.services.members.setPerson(await request(ctx), args.member, args.person),
  registerApplication: async (_: unknown, { input }: Args<{ input: RegisterApplicationInput }>, ctx: ExchangeContext) =>
    ctx.services.applications.register(await request(ctx), input),
  rotateApplicationSecret: async (_: unknown, { id }: Args<{ id: string }>, ctx: ExchangeContext) =>
    ctx.services.applications.rotateSecret(await request(ctx), id),
  setApplicationTranslations: async (_: unknown, { id, ...input }: Args<{ id: string } & ApplicationTranslationsInput>, ctx: ExchangeContext) =>
    ctx.services.applications.setTranslations(await request(ctx), id, input),
  suspendApplication: async (_: unknown, args: Args<{ id: string; reason: string }>, ctx: ExchangeContext) =>
    ctx.services.applications.suspend(await request(ctx), args.id, args.reason),
  reinstateApplication: async (_: unknown, { id }: Args<{ id: string }>, ctx: ExchangeContext) =>
    ctx.services.applications.reinstate(await request(ctx), id),
  requestFieldGrant: async (_: unknown, { input }: Args<{ input: RequestFieldGrantInput }>, ctx: ExchangeContext) =>
    ctx.services.grantRequests.request(await request(ctx), input),
  reviewGrantRequest: async (
    _: unknown,
    args: Args<{ id: string; provider: string; approve: boolean; comment?: string | null }>,
    ctx: ExchangeContext,
  ) => ctx.services.grantRequests.review(await request(ctx), args.id, args.provider, args.approve, args.comment ?? null),
  decideGrantRequest: async (_: unknown, args: Args<{ id: string; approve: boolean; comment?: string | null }>, ctx: ExchangeContext) =>
    ctx.services.grantRequests.decide(await request(ctx), args.id, args.approve, args.comment ?? null),
  withdrawGrantRequest: async (_: unknown, { id }: Args<{ id: string }>, ctx: ExchangeContext) =>
    ctx.services.grantRequests.withdraw(await request(ctx), id),
  revokeFieldGrant: async (_: unknown, args: Args<{ id: string; reason: string }>, ctx: ExchangeContext) =>
    revokeFieldGrant(ctx.services.changes, await request(ctx), args.id, args.reason),
};
