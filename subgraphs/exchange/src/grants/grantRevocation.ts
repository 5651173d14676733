/** Revoking a live grant (an exchange administrator, or a data owner of its provider): the next query that reads it is FORBIDDEN. */
import { conflict, forbidden, notFound } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { limits, text } from "../inputChecks.ts";
import type { Scope } from "../members/scope.ts";
import { fieldGrantStore, type FieldGrant } from "./fieldGrantStore.ts";

export function revokeFieldGrant(
  deps: ChangeDeps,
  request: { readonly scope: Scope; readonly audit: AuditEntry[] },
  id: string,
  reasonInput: string,
): Promise<FieldGrant> {
  const { scope } = request;
  const reason = text(reasonInput, "reason", limits.reason);
  return recordChange(deps, request, "revokeFieldGrant", async (tx) => {
    const grant = await fieldGrantStore.lock(tx, id);
    const visible = grant !== undefined && (scope.isExchangeAdmin || scope.memberOf.has(grant.member) || scope.ownerOf.has(grant.provider));
    if (grant === undefined || !visible) throw notFound(`There is no field grant ${id}`, { grant: id });
    if (!scope.isExchangeAdmin && !scope.ownerOf.has(grant.provider)) {
      throw forbidden(`To revoke a grant of ${grant.provider}, ${scope.id} must be an exchange administrator or its data owner`, { grant: id });
    }
    if (grant.status !== "ACTIVE") throw conflict(`Field grant ${id} is ${grant.status} already`, { grant: id, status: grant.status });
    await fieldGrantStore.revoke(tx, id, scope.id, reason);
    const after = await fieldGrantStore.lock(tx, id);
    if (after === undefined) throw new Error("the grant just written is not there");
    const { member: _m, ...beforeView } = grant;
    const { member: _n, ...afterView } = after;
    // Answered once every follower of the register has dropped the grant: the next query reading it is FORBIDDEN.
    return { result: after, target: `fieldGrant:${id}`, before: beforeView, after: afterView, tightening: true };
  });
}
