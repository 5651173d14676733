/** The registry's rows: schema versions and the supergraph of each activation. */
import type { Queryable } from "@ndx/platform";
import { iso, isoOrNull } from "../storage/time.ts";
import type { SchemaChecks } from "./checkTypes.ts";

export type SchemaVersionStatus = "PUBLISHED" | "ACTIVE" | "SUPERSEDED" | "REFUSED";

export interface SchemaVersion {
  readonly id: string;
  readonly subgraph: string;
  readonly number: number;
  readonly url: string;
  readonly sdl: string;
  readonly status: SchemaVersionStatus;
  readonly publishedBy: string;
  readonly publishedAt: string;
  readonly checks: SchemaChecks;
  readonly activatedBy: string | null;
  readonly activatedAt: string | null;
  readonly overrideReason: string | null;
}

export interface ActiveSupergraph {
  readonly position: number;
  readonly hash: string;
  readonly sdl: string;
  /** subgraph → version number */
  readonly versions: Readonly<Record<string, number>>;
  readonly activatedBy: string;
  readonly activatedAt: string;
}

interface VersionRow {
  id: string;
  subgraph: string;
  number: number;
  url: string;
  sdl: string;
  status: SchemaVersionStatus;
  published_by: string;
  published_at: unknown;
  checks: SchemaChecks | string;
  activated_by: string | null;
  activated_at: unknown;
  override_reason: string | null;
}

const columns = "id, subgraph, number, url, sdl, status, published_by, published_at, checks, activated_by, activated_at, override_reason";

const version = (r: VersionRow): SchemaVersion => ({
  id: r.id,
  subgraph: r.subgraph,
  number: Number(r.number),
  url: r.url,
  sdl: r.sdl,
  status: r.status,
  publishedBy: r.published_by,
  publishedAt: iso(r.published_at),
  checks: typeof r.checks === "string" ? (JSON.parse(r.checks) as SchemaChecks) : r.checks,
  activatedBy: r.activated_by,
  activatedAt: isoOrNull(r.activated_at),
  overrideReason: r.override_reason,
});

export const versionId = (subgraph: string, number: number): string => `${subgraph}@${number}`;

export const versionStore = {
  async list(db: Queryable, subgraph: string): Promise<SchemaVersion[]> {
    const { rows } = await db.query<VersionRow>(`SELECT ${columns} FROM schema_version WHERE subgraph = $1 ORDER BY number DESC`, [subgraph]);
    return rows.map(version);
  },
  async byId(db: Queryable, id: string, lock = false): Promise<SchemaVersion | null> {
    const { rows } = await db.query<VersionRow>(`SELECT ${columns} FROM schema_version WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    return rows[0] === undefined ? null : version(rows[0]);
  },
  /** Every subgraph's active version, by name. */
  async active(db: Queryable): Promise<SchemaVersion[]> {
    const { rows } = await db.query<VersionRow>(`SELECT ${columns} FROM schema_version WHERE status = 'ACTIVE' ORDER BY subgraph`);
    return rows.map(version);
  },
  async nextNumber(db: Queryable, subgraph: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>("SELECT coalesce(max(number), 0)::int + 1 AS n FROM schema_version WHERE subgraph = $1", [subgraph]);
    return rows[0]?.n ?? 1;
  },
  async insert(db: Queryable, v: Omit<SchemaVersion, "id" | "publishedAt">): Promise<SchemaVersion> {
    const { rows } = await db.query<VersionRow>(
      `INSERT INTO schema_version (id, subgraph, number, url, sdl, status, published_by, checks, activated_by, activated_at, override_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, CASE WHEN $9::text IS NULL THEN NULL ELSE now() END, $10)
       RETURNING ${columns}`,
      [versionId(v.subgraph, v.number), v.subgraph, v.number, v.url, v.sdl, v.status, v.publishedBy, JSON.stringify(v.checks), v.activatedBy, v.overrideReason],
    );
    return version(rows[0] as VersionRow);
  },
  /** The subgraph's active version becomes SUPERSEDED and `id` ACTIVE, in the caller's transaction. */
  async activate(db: Queryable, id: string, subgraph: string, by: string, overrideReason: string | null): Promise<SchemaVersion> {
    await db.query("UPDATE schema_version SET status = 'SUPERSEDED' WHERE subgraph = $1 AND status = 'ACTIVE'", [subgraph]);
    const { rows } = await db.query<VersionRow>(
      `UPDATE schema_version SET status = 'ACTIVE', activated_by = $2, activated_at = now(), override_reason = coalesce($3, override_reason)
        WHERE id = $1 RETURNING ${columns}`,
      [id, by, overrideReason],
    );
    return version(rows[0] as VersionRow);
  },
  async insertSupergraph(db: Queryable, s: Pick<ActiveSupergraph, "hash" | "sdl" | "versions" | "activatedBy">): Promise<ActiveSupergraph> {
    const { rows } = await db.query<SupergraphRow>(
      `INSERT INTO schema_supergraph (hash, sdl, versions, activated_by) VALUES ($1, $2, $3::jsonb, $4)
       RETURNING position, hash, sdl, versions, activated_by, activated_at`,
      [s.hash, s.sdl, JSON.stringify(s.versions), s.activatedBy],
    );
    return supergraph(rows[0] as SupergraphRow);
  },
  async activeSupergraph(db: Queryable): Promise<ActiveSupergraph | null> {
    const { rows } = await db.query<SupergraphRow>(
      "SELECT position, hash, sdl, versions, activated_by, activated_at FROM schema_supergraph ORDER BY position DESC LIMIT 1",
    );
    return rows[0] === undefined ? null : supergraph(rows[0]);
  },
};

interface SupergraphRow {
  position: number | string;
  hash: string;
  sdl: string;
  versions: Record<string, number> | string;
  activated_by: string;
  activated_at: unknown;
}

const supergraph = (r: SupergraphRow): ActiveSupergraph => ({
  position: Number(r.position),
  hash: r.hash,
  sdl: r.sdl,
  versions: typeof r.versions === "string" ? (JSON.parse(r.versions) as Record<string, number>) : r.versions,
  activatedBy: r.activated_by,
  activatedAt: iso(r.activated_at),
});
