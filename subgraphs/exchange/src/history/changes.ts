/**
 * Every administrative change in one place: its transaction moves the register's revision and appends who did what
 * (before and after, the gateway's decision id) to `admin_history`; after the commit the change is announced to the
 * register stream and put in the request's audit entries, which the response carries to the gateway's audit trail.
 * A *tightening* change (one that takes access away: a grant revoked, an application suspended) answers only once it
 * holds on every follower of the register (`settled`), so the very next request anywhere is decided without it.
 */
import type { Db, Queryable, Settlement } from "@ndx/platform";
import type { Scope } from "../members/scope.ts";
import { bumpRevision, type RevisionFeed } from "../storage/revisions.ts";

/** What the gateway records in its hash-chained audit trail: never a secret. */
export interface AuditEntry {
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ChangeOutcome<T> {
  readonly result: T;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The change takes access away: answered only once every follower holds it. @default false */
  readonly tightening?: boolean;
}

export interface ChangeDeps {
  readonly db: Db;
  readonly revisions: RevisionFeed;
  /** Resolves once a revision holds on every follower of the register (registerEndpoints.ts). */
  readonly settled: (revision: number) => Promise<Settlement>;
}

export async function recordChange<T>(
  deps: ChangeDeps,
  request: { readonly scope: Scope; readonly audit: AuditEntry[] },
  action: string,
  change: (tx: Queryable) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  const { outcome, revision } = await deps.db.transaction(async (tx) => {
    const outcome = await change(tx);
    const revision = await bumpRevision(tx);
    await tx.query(
      `INSERT INTO admin_history (actor, action, target, before, after, decision_id, revision)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)`,
      [
        request.scope.id,
        action,
        outcome.target,
        JSON.stringify(outcome.before ?? null),
        JSON.stringify(outcome.after ?? null),
        request.scope.decisionId ?? null,
        revision.revision,
      ],
    );
    return { outcome, revision };
  });
  deps.revisions.announce(revision);
  if (outcome.tightening === true) await deps.settled(revision.revision);
  request.audit.push({ action, target: outcome.target, before: outcome.before ?? null, after: outcome.after ?? null });
  return outcome.result;
}
