/**
 * What a caller may see, beyond exchange administrators who see everything: the people of a member see its
 * applications, their requests and grants; a provider's data owners see the requests and grants naming their
 * providers (and the applications behind them). Anything else is answered as if it did not exist.
 */
import type { Queryable } from "@ndx/platform";
import type { Scope } from "../members/scope.ts";

/** The ids of the applications the caller may see, or "all". */
export async function visibleApplications(db: Queryable, scope: Scope): Promise<ReadonlySet<string> | "all"> {
  if (scope.isExchangeAdmin) return "all";
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM application WHERE member_code = ANY($1::text[])
     UNION SELECT r.application_id FROM grant_request r JOIN grant_request_part p ON p.request_id = r.id WHERE p.provider = ANY($2::text[])
     UNION SELECT application_id FROM field_grant WHERE provider = ANY($2::text[])`,
    [[...scope.memberOf], [...scope.ownerOf]],
  );
  return new Set(rows.map((r) => r.id));
}

export const sees = (visible: ReadonlySet<string> | "all", id: string): boolean => visible === "all" || visible.has(id);

/** Whether the caller sees a request of `application` naming `providers`. */
export function seesRequest(scope: Scope, applicationMember: string, providers: readonly string[]): boolean {
  return scope.isExchangeAdmin || scope.memberOf.has(applicationMember) || providers.some((p) => scope.ownerOf.has(p));
}
