/** Field grants: what an application may read, of which provider, for which purpose, until when. */
import { randomUUID } from "node:crypto";
import type { Queryable } from "@ndx/platform";
import type { Scope } from "../members/scope.ts";
import { iso, isoOrNull } from "../storage/time.ts";

export type GrantStatus = "ACTIVE" | "ENDED" | "REVOKED";

export interface FieldGrant {
  readonly id: string;
  readonly application: string;
  readonly member: string;
  readonly purpose: string;
  readonly provider: string;
  readonly coordinate: string;
  readonly endsAt: string;
  readonly status: GrantStatus;
  readonly grantedAt: string;
  readonly request: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

interface GrantRow {
  id: string;
  application_id: string;
  member_code: string;
  purpose_code: string;
  provider: string;
  coordinate: string;
  ends_at: unknown;
  granted_at: unknown;
  request_id: string | null;
  revoked_at: unknown;
  revoked_by: string | null;
  revoke_reason: string | null;
}

const select = `SELECT g.id, g.application_id, a.member_code, g.purpose_code, g.provider, g.coordinate, g.ends_at, g.granted_at,
  g.request_id, g.revoked_at, g.revoked_by, g.revoke_reason FROM field_grant g JOIN application a ON a.id = g.application_id`;

function toGrant(r: GrantRow, now: number): FieldGrant {
  const endsAt = iso(r.ends_at);
  const revokedAt = isoOrNull(r.revoked_at);
  return {
    id: r.id,
    application: r.application_id,
    member: r.member_code,
    purpose: r.purpose_code,
    provider: r.provider,
    coordinate: r.coordinate,
    endsAt,
    status: revokedAt !== null ? "REVOKED" : Date.parse(endsAt) <= now ? "ENDED" : "ACTIVE",
    grantedAt: iso(r.granted_at),
    request: r.request_id,
    revokedAt,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
  };
}

export interface GrantFilter {
  readonly application?: string | null | undefined;
  /** Of any of these applications (the grants of several applications in one query). */
  readonly applications?: readonly string[] | undefined;
  readonly includeEnded?: boolean | null | undefined;
}

export const fieldGrantStore = {
  /** The grants the caller may see: of their member's applications, or naming their providers (administrators: all). */
  async list(db: Queryable, scope: Scope, filter: GrantFilter): Promise<FieldGrant[]> {
    const { rows } = await db.query<GrantRow>(
      `${select}
        WHERE ($1::boolean OR a.member_code = ANY($2::text[]) OR g.provider = ANY($3::text[]))
          AND ($4::text IS NULL OR g.application_id = $4)
          AND ($5::boolean OR (g.revoked_at IS NULL AND g.ends_at > now()))
          AND ($6::text[] IS NULL OR g.application_id = ANY($6::text[]))
        ORDER BY g.application_id, g.purpose_code, g.provider, g.coordinate, g.granted_at`,
      [scope.isExchangeAdmin, [...scope.memberOf], [...scope.ownerOf], filter.application ?? null, filter.includeEnded === true, filter.applications ?? null],
    );
    const now = Date.now();
    return rows.map((r) => toGrant(r, now));
  },
  async lock(tx: Queryable, id: string): Promise<FieldGrant | undefined> {
    const { rows } = await tx.query<GrantRow>(`${select} WHERE g.id = $1 FOR UPDATE OF g`, [id]);
    const row = rows[0];
    return row === undefined ? undefined : toGrant(row, Date.now());
  },
  async insert(
    tx: Queryable,
    grant: { application: string; purpose: string; provider: string; coordinate: string; endsAt: string; request: string | null },
  ): Promise<string> {
    const id = randomUUID();
    await tx.query(
      `INSERT INTO field_grant (id, application_id, purpose_code, provider, coordinate, ends_at, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, grant.application, grant.purpose, grant.provider, grant.coordinate, grant.endsAt, grant.request],
    );
    return id;
  },
  async revoke(tx: Queryable, id: string, by: string, reason: string): Promise<void> {
    await tx.query("UPDATE field_grant SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE id = $1", [id, by, reason]);
  },
};
