/** Change requests in GraphQL: the four mutations, the two queries, and the fields computed from a stored request. */
import { ndxError } from "@ndx/platform";
import type { RegistryContext } from "./context.ts";
import { recordKey } from "./context.ts";
import { parseChangeRequestId, parseRegister, type SubmitChangeRequestArgs } from "../changeRequests/changeRequestInput.ts";
import type { ChangeRequestStatus } from "../changeRequests/changeRequestStates.ts";
import { changeRequestStore, type ChangeOperation, type ChangeRequestRow } from "../changeRequests/changeRequestStore.ts";
import { parsePageSize } from "./inputs.ts";
import { encodePageCursor, parsePageCursor } from "./pageCursors.ts";
import { requireStaff } from "../changeRequests/staffCaller.ts";

interface FilterArgs {
  status?: ChangeRequestStatus[] | null;
  register?: string | null;
  recordId?: string | null;
  submittedBy?: string | null;
  operation?: ChangeOperation | null;
}

const readRequests = "read change requests";

export const changeRequestResolvers = {
  Query: {
    changeRequest: async (_: unknown, args: { id: string }, ctx: RegistryContext) => {
      requireStaff(ctx.caller, ["registrar", "approver"], readRequests);
      return (await changeRequestStore.byId(ctx.registry.db, parseChangeRequestId(args.id))) ?? null;
    },

    changeRequests: async (
      _: unknown,
      args: { filter?: FilterArgs | null; first?: number | null; after?: string | null },
      ctx: RegistryContext,
    ) => {
      requireStaff(ctx.caller, ["registrar", "approver"], readRequests);
      const f = args.filter ?? {};
      const filter = {
        status: f.status ?? undefined,
        register: f.register === null || f.register === undefined ? undefined : parseRegister(ctx.registry.catalogue, f.register, "filter.register").name,
        recordId: f.recordId ?? undefined,
        submittedBy: f.submittedBy ?? undefined,
        operation: f.operation ?? undefined,
      };
      const limit = parsePageSize(args.first);
      const after = parsePageCursor("cr", args.after, /^\d{1,15}$/);
      const rows = await changeRequestStore.list(ctx.registry.db, filter, after === undefined ? undefined : Number(after), limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        edges: page.map((node) => ({ cursor: encodePageCursor("cr", node.seq), node })),
        pageInfo: { hasNextPage: rows.length > limit, endCursor: last === undefined ? null : encodePageCursor("cr", last.seq) },
        totalCount: () => changeRequestStore.count(ctx.registry.db, filter),
      };
    },
  },

  Mutation: {
    submitChangeRequest: (_: unknown, args: { input: SubmitChangeRequestArgs }, ctx: RegistryContext) =>
      ctx.registry.changeRequests.submit(ctx.caller, args.input),
    approveChangeRequest: (_: unknown, args: { id: string; comment: string }, ctx: RegistryContext) =>
      ctx.registry.changeRequests.approve(ctx.caller, args.id, args.comment),
    rejectChangeRequest: (_: unknown, args: { id: string; comment: string }, ctx: RegistryContext) =>
      ctx.registry.changeRequests.reject(ctx.caller, args.id, args.comment),
    withdrawChangeRequest: (_: unknown, args: { id: string; comment?: string | null }, ctx: RegistryContext) =>
      ctx.registry.changeRequests.withdraw(ctx.caller, args.id, args.comment),
  },

  ChangeRequest: {
    payload: (cr: ChangeRequestRow, _: unknown, ctx: RegistryContext) => {
      if (cr.payload === null) return null;
      try {
        return ctx.registry.cipher.open(cr.register, cr.recordId, cr.payload, cr.sealedPayload);
      } catch {
        throw ndxError("INTERNAL_SERVER_ERROR", `The payload of change request ${cr.id} cannot be decrypted`, { httpStatus: false });
      }
    },
    duplicates: (cr: ChangeRequestRow) => cr.duplicates.map((d) => ({ ...d, register: cr.register })),
    transitions: (cr: ChangeRequestRow, _: unknown, ctx: RegistryContext) => ctx.transitionsOf.load(cr.id),
    record: (cr: ChangeRequestRow, _: unknown, ctx: RegistryContext) => ctx.recordByKey.load(recordKey(cr.register, cr.recordId)),
  },

  DuplicateCandidate: {
    record: (d: { register: string; recordId: string }, _: unknown, ctx: RegistryContext) => ctx.recordByKey.load(recordKey(d.register, d.recordId)),
  },
};
