/** Members, the providers they operate and their people. */
import type { Queryable } from "@ndx/platform";
import { iso } from "../storage/time.ts";

export type MemberRole = "MEMBER_ADMIN" | "PROVIDER_DATA_OWNER";

export interface MemberPerson {
  readonly username: string;
  readonly role: MemberRole;
}

export interface Member {
  readonly code: string;
  readonly name: string;
  readonly contactEmail: string;
  readonly providers: readonly string[];
  readonly createdAt: string;
}

interface MemberRow {
  code: string;
  name: string;
  contact_email: string;
  providers: string[];
  created_at: unknown;
}

const select = `SELECT m.code, m.name, m.contact_email, m.created_at,
  coalesce((SELECT jsonb_agg(mp.provider ORDER BY mp.provider) FROM member_provider mp WHERE mp.member_code = m.code), '[]'::jsonb) AS providers
  FROM member m`;

const toMember = (r: MemberRow): Member => ({
  code: r.code,
  name: r.name,
  contactEmail: r.contact_email,
  providers: r.providers,
  createdAt: iso(r.created_at),
});

export const memberStore = {
  async all(db: Queryable): Promise<Member[]> {
    return (await db.query<MemberRow>(`${select} ORDER BY m.code`)).rows.map(toMember);
  },
  async byCodes(db: Queryable, codes: readonly string[]): Promise<Member[]> {
    return (await db.query<MemberRow>(`${select} WHERE m.code = ANY($1::text[]) ORDER BY m.code`, [codes])).rows.map(toMember);
  },
  async peopleOf(db: Queryable, codes: readonly string[]): Promise<(MemberPerson & { readonly member: string })[]> {
    const { rows } = await db.query<{ member_code: string; username: string; role: MemberRole }>(
      "SELECT member_code, username, role FROM member_person WHERE member_code = ANY($1::text[]) ORDER BY username",
      [codes],
    );
    return rows.map((r) => ({ member: r.member_code, username: r.username, role: r.role }));
  },
  /** Which member operates each of `providers` (those operated by none are absent). */
  async operators(db: Queryable, providers: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await db.query<{ provider: string; member_code: string }>(
      "SELECT provider, member_code FROM member_provider WHERE provider = ANY($1::text[])",
      [providers],
    );
    return new Map(rows.map((r) => [r.provider, r.member_code]));
  },
  async insert(
    tx: Queryable,
    member: { code: string; name: string; contactEmail: string; providers: readonly string[]; people: readonly MemberPerson[] },
  ): Promise<void> {
    await tx.query("INSERT INTO member (code, name, contact_email) VALUES ($1, $2, $3)", [member.code, member.name, member.contactEmail]);
    for (const provider of member.providers) {
      await tx.query("INSERT INTO member_provider (provider, member_code) VALUES ($1, $2)", [provider, member.code]);
    }
    for (const person of member.people) await memberStore.setPerson(tx, member.code, person);
  },
  async setPerson(tx: Queryable, member: string, person: MemberPerson): Promise<void> {
    await tx.query(
      `INSERT INTO member_person (member_code, username, role) VALUES ($1, $2, $3)
       ON CONFLICT (member_code, username) DO UPDATE SET role = EXCLUDED.role`,
      [member, person.username, person.role],
    );
  },
  async lock(tx: Queryable, code: string): Promise<boolean> {
    return (await tx.query("SELECT 1 FROM member WHERE code = $1 FOR UPDATE", [code])).rows.length > 0;
  },
};

/** A member as the audit trail shows it. */
export async function memberSnapshot(db: Queryable, code: string): Promise<(Member & { people: MemberPerson[] }) | null> {
  const [member] = await memberStore.byCodes(db, [code]);
  if (member === undefined) return null;
  const people = (await memberStore.peopleOf(db, [code])).map(({ username, role }) => ({ username, role }));
  return { ...member, people };
}
