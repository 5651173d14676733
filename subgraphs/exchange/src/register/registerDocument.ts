/**
 * The whole register at one revision, as followers read it (`ExchangeRegister` of @ndx/contracts): every application
 * (ACTIVE or SUSPENDED) with its member, purposes and live grants (approved, not revoked, not ended), and every member
 * with its providers and people (for the gateway's operational records). Read in one
 * REPEATABLE READ transaction, so the revision and the data are one snapshot.
 */
import type { ExchangeRegister, RegisterApplication, RegisterGrant, RegisterMember } from "@ndx/contracts";
import type { Db } from "@ndx/platform";
import { applicationStore } from "../applications/applicationStore.ts";
import { memberStore } from "../members/memberStore.ts";
import { readRevision } from "../storage/revisions.ts";
import { iso } from "../storage/time.ts";

export async function readRegister(db: Db): Promise<ExchangeRegister> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    const revision = await readRevision(tx);
    const applications = await applicationStore.list(tx);
    const ids = applications.map((a) => a.id);
    const purposes = await applicationStore.purposesOf(tx, ids);
    const allMembers = await memberStore.all(tx);
    const members = new Map(allMembers.map((m) => [m.code, m.name]));
    const people = await memberStore.peopleOf(
      tx,
      allMembers.map((m) => m.code),
    );
    const { rows } = await tx.query<{ id: string; application_id: string; purpose_code: string; provider: string; coordinate: string; ends_at: unknown }>(
      `SELECT id, application_id, purpose_code, provider, coordinate, ends_at FROM field_grant
        WHERE revoked_at IS NULL AND ends_at > now() ORDER BY application_id, purpose_code, provider, coordinate, id`,
    );
    const grants = new Map<string, RegisterGrant[]>();
    for (const r of rows) {
      const list = grants.get(r.application_id) ?? [];
      list.push({ id: r.id, purpose: r.purpose_code, provider: r.provider, field: r.coordinate, endsAt: iso(r.ends_at) });
      grants.set(r.application_id, list);
    }
    const register: RegisterApplication[] = applications.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      language: a.language,
      nameTranslations: a.nameTranslations,
      member: { code: a.member, name: members.get(a.member) ?? a.member },
      status: a.status,
      redirectUris: a.redirectUris,
      purposes: purposes
        .filter((p) => p.application === a.id)
        .map(({ code, text, legalBasis, maxConsentDays, maxGrantDays, translations }) => ({ code, text, legalBasis, maxConsentDays, maxGrantDays, translations })),
      clearance: a.clearance,
      bulkAccess: a.bulkAccess,
      grants: grants.get(a.id) ?? [],
    }));
    const memberList: RegisterMember[] = allMembers.map((m) => ({
      code: m.code,
      name: m.name,
      providers: [...m.providers],
      people: people.filter((p) => p.member === m.code).map(({ username, role }) => ({ username, role })),
    }));
    return { revision: revision.revision, at: revision.at, applications: register, members: memberList };
  });
}
