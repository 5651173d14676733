/** Registering members and naming their people (exchange administrators only). */
import type { FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import { badInput, conflict, isUniqueViolation, notFound } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { atMost, limits, text } from "../inputChecks.ts";
import { memberSnapshot, memberStore, type Member, type MemberPerson, type MemberRole } from "./memberStore.ts";
import { requireExchangeAdmin, type Scope } from "./scope.ts";

export interface RegisterMemberInput {
  readonly code: string;
  readonly name: string;
  readonly contactEmail: string;
  readonly providers?: readonly string[] | null;
  readonly people: readonly MemberPerson[];
}

type Request = { readonly scope: Scope; readonly audit: AuditEntry[] };

const memberCode = /^[A-Z][A-Z0-9-]{1,15}$/;
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const username = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;
const roles: readonly MemberRole[] = ["MEMBER_ADMIN", "PROVIDER_DATA_OWNER"];

function checkPerson(person: MemberPerson, field: string): MemberPerson {
  const name = text(person.username, `${field}.username`, limits.username);
  if (!username.test(name)) throw badInput(`${field}.username ${JSON.stringify(name)} is not an account name`, { field });
  if (!roles.includes(person.role)) throw badInput(`${field}.role must be one of ${roles.join(", ")}`, { field });
  return { username: name, role: person.role };
}

export function createMembers(deps: ChangeDeps & { readonly catalogue: FieldCatalogue }) {
  const { catalogue } = deps;
  return {
    async register(request: Request, input: RegisterMemberInput): Promise<Member> {
      requireExchangeAdmin(request.scope, "register a member");
      if (!memberCode.test(input.code)) {
        throw badInput("code must be 2 to 16 upper-case letters, digits or hyphens, starting with a letter", { field: "code" });
      }
      const name = text(input.name, "name", limits.name);
      const contactEmail = text(input.contactEmail, "contactEmail", limits.email);
      if (!email.test(contactEmail)) throw badInput("contactEmail is not an e-mail address", { field: "contactEmail" });
      const providers = [...new Set(atMost(input.providers ?? [], "providers", limits.providers))];
      const unknown = providers.filter((p) => !catalogue.providers.includes(p));
      if (unknown.length > 0) {
        throw badInput(`Not providers of the supergraph: ${unknown.join(", ")}`, { unknownProviders: unknown, known: catalogue.providers });
      }
      const people = atMost(input.people, "people", limits.people).map((p, i) => checkPerson(p, `people[${i}]`));
      const names = people.map((p) => p.username);
      if (new Set(names).size !== names.length) throw badInput("people names an account twice", { field: "people" });

      return recordChange(deps, request, "registerMember", async (tx) => {
        if ((await memberStore.byCodes(tx, [input.code])).length > 0) throw conflict(`A member ${input.code} exists already`, { member: input.code });
        const taken = await memberStore.operators(tx, providers);
        if (taken.size > 0) {
          const operated = Object.fromEntries(taken);
          throw conflict(`Providers already operated by another member: ${[...taken.keys()].join(", ")}`, { operatedBy: operated });
        }
        await memberStore.insert(tx, { code: input.code, name, contactEmail, providers, people });
        const after = await memberSnapshot(tx, input.code);
        const [member] = await memberStore.byCodes(tx, [input.code]);
        if (member === undefined) throw new Error("the member just written is not there");
        return { result: member, target: `member:${input.code}`, before: null, after };
      }).catch((err: unknown) => {
        // Two registrations of one code (or provider) at once: the second meets the key, not the check above.
        if (isUniqueViolation(err)) throw conflict(`A member ${input.code} or one of its providers exists already`, { member: input.code });
        throw err;
      });
    },

    async setPerson(request: Request, code: string, person: MemberPerson): Promise<Member> {
      requireExchangeAdmin(request.scope, "name a member's people");
      const checked = checkPerson(person, "person");
      return recordChange(deps, request, "setMemberPerson", async (tx) => {
        if (!(await memberStore.lock(tx, code))) throw notFound(`There is no member ${code}`, { member: code });
        const before = await memberSnapshot(tx, code);
        await memberStore.setPerson(tx, code, checked);
        const after = await memberSnapshot(tx, code);
        const [member] = await memberStore.byCodes(tx, [code]);
        if (member === undefined || after === null) throw new Error("the member just written is not there");
        // A person moved to another role loses the one they had: a tightening change, answered once it holds everywhere.
        const previous = before?.people.find((p) => p.username === checked.username);
        return { result: member, target: `member:${code}`, before, after, tightening: previous !== undefined && previous.role !== checked.role };
      });
    },
  };
}

export type Members = ReturnType<typeof createMembers>;

