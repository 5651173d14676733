/** Registers and their records, generically: one GraphQL shape for every register, whatever its metadata says. */
import type { RegistryContext } from "./context.ts";
import { recordKey } from "./context.ts";
import { parseRegister } from "../changeRequests/changeRequestInput.ts";
import { parsePageSize } from "./inputs.ts";
import { encodePageCursor, parsePageCursor } from "./pageCursors.ts";
import type { RecordView } from "../records/recordReader.ts";
import type { RegisterDefinition } from "../registers/registerMetadata.ts";
import { requireStaff } from "../changeRequests/staffCaller.ts";

const readRecords = "read register records";

const registerView = (r: RegisterDefinition) => ({
  name: r.name,
  title: r.title,
  description: r.description,
  schema: r.recordSchema,
  keyField: r.keyField ?? null,
  identifierFields: r.identifierFields,
  sensitiveFields: r.sensitiveFields,
  duplicateRules: r.duplicateRules,
});

export const registerResolvers = {
  Query: {
    registers: (_: unknown, __: unknown, ctx: RegistryContext) => ctx.registry.catalogue.registers.map(registerView),

    register: (_: unknown, args: { name: string }, ctx: RegistryContext) => {
      const found = ctx.registry.catalogue.get(args.name);
      return found === undefined ? null : registerView(found);
    },

    record: (_: unknown, args: { register: string; id: string }, ctx: RegistryContext) => {
      requireStaff(ctx.caller, ["registrar", "approver"], readRecords);
      const register = parseRegister(ctx.registry.catalogue, args.register, "register");
      return ctx.recordByKey.load(recordKey(register.name, args.id));
    },

    records: async (_: unknown, args: { register: string; first?: number | null; after?: string | null }, ctx: RegistryContext) => {
      requireStaff(ctx.caller, ["registrar", "approver"], readRecords);
      const register = parseRegister(ctx.registry.catalogue, args.register, "register");
      const limit = parsePageSize(args.first);
      const after = parsePageCursor("record", args.after, /^.{1,200}$/s);
      const rows = await ctx.registry.records.list(register, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        edges: page.map((node) => ({ cursor: encodePageCursor("record", node.id), node })),
        pageInfo: { hasNextPage: rows.length > limit, endCursor: last === undefined ? null : encodePageCursor("record", last.id) },
        totalCount: () => ctx.registry.records.count(register),
      };
    },
  },

  RegisterRecord: {
    history: (record: RecordView, _: unknown, ctx: RegistryContext) => {
      const register = ctx.registry.catalogue.get(record.register);
      return register === undefined ? [] : ctx.registry.records.history(register, record.id);
    },
  },
};
