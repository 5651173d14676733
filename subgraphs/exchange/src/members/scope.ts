/**
 * Who the caller acts for. Which roles they hold comes from the identity provider (the caller assertion's `roles`);
 * which members and providers they act for is the exchange's own data (a member's people). Read once per request.
 */
import type { ForwardedCaller, Queryable } from "@ndx/platform";
import { forbidden, unauthenticated } from "../errors.ts";

export interface Scope {
  /** The caller's username. */
  readonly id: string;
  readonly isExchangeAdmin: boolean;
  /** The gateway's audit event of its permit for this request. */
  readonly decisionId: string | undefined;
  /** Members the caller is a MEMBER_ADMIN of. */
  readonly adminOf: ReadonlySet<string>;
  /** Providers operated by a member the caller is a PROVIDER_DATA_OWNER of. */
  readonly ownerOf: ReadonlySet<string>;
  /** Members the caller is a person of, in any role. */
  readonly memberOf: ReadonlySet<string>;
}

const exchangeAdminRole = "exchange_admin";

/** The staff member asking; exchange administration is never a consumer's or a citizen's. */
export function requireStaffCaller(caller: ForwardedCaller | undefined): ForwardedCaller {
  if (caller === undefined) throw unauthenticated("Exchange administration needs a signed-in staff member; the gateway named no caller");
  if (caller.kind !== "staff") throw forbidden(`Exchange administration is for staff; ${caller.kind} ${caller.id} is not staff`);
  return caller;
}

export async function loadScope(db: Queryable, caller: ForwardedCaller): Promise<Scope> {
  const { rows } = await db.query<{ member_code: string; role: string; provider: string | null }>(
    `SELECT p.member_code, p.role, mp.provider
       FROM member_person p LEFT JOIN member_provider mp ON mp.member_code = p.member_code
      WHERE p.username = $1`,
    [caller.id],
  );
  const adminOf = new Set<string>();
  const ownerOf = new Set<string>();
  const memberOf = new Set<string>();
  for (const row of rows) {
    memberOf.add(row.member_code);
    if (row.role === "MEMBER_ADMIN") adminOf.add(row.member_code);
    if (row.role === "PROVIDER_DATA_OWNER" && row.provider !== null) ownerOf.add(row.provider);
  }
  return {
    id: caller.id,
    isExchangeAdmin: caller.roles.includes(exchangeAdminRole),
    decisionId: caller.decisionId,
    adminOf,
    ownerOf,
    memberOf,
  };
}

export function requireExchangeAdmin(scope: Scope, action: string): void {
  if (!scope.isExchangeAdmin) throw forbidden(`To ${action}, ${scope.id} needs the ${exchangeAdminRole} role`, { requiredRoles: [exchangeAdminRole] });
}

export function requireMemberAdmin(scope: Scope, member: string, action: string): void {
  if (!scope.adminOf.has(member)) throw forbidden(`To ${action}, ${scope.id} must be a MEMBER_ADMIN of ${member}`, { member });
}
