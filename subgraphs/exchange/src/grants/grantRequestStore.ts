/** Grant requests and their parts, one part per provider named. */
import type { Queryable } from "@ndx/platform";
import type { Scope } from "../members/scope.ts";
import { iso, isoOrNull } from "../storage/time.ts";

export type GrantRequestStatus = "PROVIDER_REVIEW" | "EXCHANGE_REVIEW" | "APPROVED" | "REJECTED" | "WITHDRAWN";
export type ReviewStatus = "PENDING" | "APPROVED" | "REJECTED";

export interface GrantRequest {
  readonly id: string;
  readonly application: string;
  /** The member of its application. */
  readonly member: string;
  readonly purpose: string;
  readonly justification: string;
  readonly endsAt: string;
  readonly status: GrantRequestStatus;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly comment: string | null;
}

export interface GrantRequestPart {
  readonly request: string;
  readonly provider: string;
  /** `Type.field` coordinates. */
  readonly fields: readonly string[];
  readonly status: ReviewStatus;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
  readonly comment: string | null;
}

interface RequestRow {
  id: string;
  application_id: string;
  member_code: string;
  purpose_code: string;
  justification: string;
  ends_at: unknown;
  status: GrantRequestStatus;
  requested_by: string;
  requested_at: unknown;
  decided_by: string | null;
  decided_at: unknown;
  comment: string | null;
}

const select = `SELECT r.id, r.application_id, a.member_code, r.purpose_code, r.justification, r.ends_at, r.status, r.requested_by,
  r.requested_at, r.decided_by, r.decided_at, r.comment FROM grant_request r JOIN application a ON a.id = r.application_id`;

const toRequest = (r: RequestRow): GrantRequest => ({
  id: r.id,
  application: r.application_id,
  member: r.member_code,
  purpose: r.purpose_code,
  justification: r.justification,
  endsAt: iso(r.ends_at),
  status: r.status,
  requestedBy: r.requested_by,
  requestedAt: iso(r.requested_at),
  decidedBy: r.decided_by,
  decidedAt: isoOrNull(r.decided_at),
  comment: r.comment,
});

export const grantRequestStore = {
  /** Newest first; only those the caller may see (exchange administrators: all). */
  async list(db: Queryable, scope: Scope, status: GrantRequestStatus | null): Promise<GrantRequest[]> {
    const { rows } = await db.query<RequestRow>(
      `${select}
        WHERE ($1::text IS NULL OR r.status = $1)
          AND ($2::boolean OR a.member_code = ANY($3::text[])
               OR EXISTS (SELECT 1 FROM grant_request_part p WHERE p.request_id = r.id AND p.provider = ANY($4::text[])))
        ORDER BY r.requested_at DESC, r.id`,
      [status, scope.isExchangeAdmin, [...scope.memberOf], [...scope.ownerOf]],
    );
    return rows.map(toRequest);
  },
  async byIds(db: Queryable, ids: readonly string[]): Promise<GrantRequest[]> {
    return (await db.query<RequestRow>(`${select} WHERE r.id = ANY($1::text[])`, [ids])).rows.map(toRequest);
  },
  /** The request, its row locked until the transaction ends (reviews and decisions of one request run one at a time). */
  async lock(tx: Queryable, id: string): Promise<GrantRequest | undefined> {
    const { rows } = await tx.query<RequestRow>(`${select} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
    const row = rows[0];
    return row === undefined ? undefined : toRequest(row);
  },
  async partsOf(db: Queryable, ids: readonly string[]): Promise<GrantRequestPart[]> {
    const { rows } = await db.query<{
      request_id: string;
      provider: string;
      fields: string[];
      status: ReviewStatus;
      reviewed_by: string | null;
      reviewed_at: unknown;
      comment: string | null;
    }>(
      `SELECT request_id, provider, fields, status, reviewed_by, reviewed_at, comment FROM grant_request_part
        WHERE request_id = ANY($1::text[]) ORDER BY request_id, provider`,
      [ids],
    );
    return rows.map((r) => ({
      request: r.request_id,
      provider: r.provider,
      fields: r.fields,
      status: r.status,
      reviewedBy: r.reviewed_by,
      reviewedAt: isoOrNull(r.reviewed_at),
      comment: r.comment,
    }));
  },
  async insert(
    tx: Queryable,
    request: { id: string; application: string; purpose: string; justification: string; endsAt: string; requestedBy: string },
    parts: ReadonlyMap<string, readonly string[]>,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO grant_request (id, application_id, purpose_code, justification, ends_at, status, requested_by)
       VALUES ($1, $2, $3, $4, $5, 'PROVIDER_REVIEW', $6)`,
      [request.id, request.application, request.purpose, request.justification, request.endsAt, request.requestedBy],
    );
    for (const [provider, fields] of parts) {
      await tx.query("INSERT INTO grant_request_part (request_id, provider, fields) VALUES ($1, $2, $3::jsonb)", [request.id, provider, JSON.stringify(fields)]);
    }
  },
  async review(tx: Queryable, id: string, provider: string, status: ReviewStatus, by: string, comment: string | null): Promise<void> {
    await tx.query(
      "UPDATE grant_request_part SET status = $3, reviewed_by = $4, reviewed_at = now(), comment = $5 WHERE request_id = $1 AND provider = $2",
      [id, provider, status, by, comment],
    );
  },
  async setStatus(tx: Queryable, id: string, status: GrantRequestStatus, decision?: { by: string; comment: string | null }): Promise<void> {
    if (decision === undefined) {
      await tx.query("UPDATE grant_request SET status = $2 WHERE id = $1", [id, status]);
      return;
    }
    await tx.query("UPDATE grant_request SET status = $2, decided_by = $3, decided_at = now(), comment = $4 WHERE id = $1", [
      id,
      status,
      decision.by,
      decision.comment,
    ]);
  },
};

/** A request with its parts, as the audit trail shows it. */
export async function grantRequestSnapshot(db: Queryable, id: string): Promise<(GrantRequest & { parts: GrantRequestPart[] }) | null> {
  const [request] = await grantRequestStore.byIds(db, [id]);
  if (request === undefined) return null;
  return { ...request, parts: await grantRequestStore.partsOf(db, [id]) };
}
