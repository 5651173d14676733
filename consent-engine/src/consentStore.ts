/**
 * The SQL of consents, their append-only history and the revision counter. Parameterised statements only; every
 * function takes the transaction (or the database) it runs on, so a state change, its event and the revision bump
 * commit together.
 */
import type { Queryable } from "@ndx/platform";
import type { ScopeItem } from "./scope.ts";
import type { Terms, TermUnit } from "./consentTerms.ts";

export type ConsentStatus = "PENDING" | "ACTIVE" | "PAUSED" | "REJECTED" | "REVOKED" | "EXPIRED" | "SUPERSEDED";

export interface ConsentRow {
  readonly id: string;
  readonly consumerId: string;
  readonly citizenId: string;
  readonly purpose: string;
  readonly scope: readonly ScopeItem[];
  readonly status: ConsentStatus;
  readonly createdAt: Date;
  readonly requestExpiresAt: Date;
  readonly decidedAt: Date | null;
  readonly grantedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  /** The artefact's terms, as proposed and granted. */
  readonly terms: Terms;
  /** The purpose's text as registered when the citizen granted it (when the request was opened, until then; null: older). */
  readonly purposeText: string | null;
  readonly pausedAt: Date | null;
  /** The request that replaced this one (SUPERSEDED). */
  readonly supersededBy: string | null;
}

export interface ConsentEvent {
  readonly at: Date;
  readonly actor: string;
  readonly from: ConsentStatus | null;
  readonly to: ConsentStatus;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface Row {
  id: string;
  consumer_id: string;
  citizen_id: string;
  purpose: string;
  scope: ScopeItem[];
  status: ConsentStatus;
  created_at: Date;
  request_expires_at: Date;
  decided_at: Date | null;
  granted_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  starts_at: Date | null;
  fetch_type: "ONETIME" | "PERIODIC";
  frequency_unit: TermUnit | null;
  frequency_value: number | null;
  data_life_unit: TermUnit | null;
  data_life_value: number | null;
  purpose_text: string | null;
  paused_at: Date | null;
  superseded_by: string | null;
}

export const columns = `id, consumer_id, citizen_id, purpose, scope, status, created_at, request_expires_at, decided_at,
  granted_at, expires_at, revoked_at, starts_at, fetch_type, frequency_unit, frequency_value, data_life_unit,
  data_life_value, purpose_text, paused_at, superseded_by`;

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null): Date | null => (v === null ? null : date(v));

export type { Row as ConsentRecord };

const periodOf = (unit: TermUnit | null, value: number | null) => (unit === null || value === null ? null : { unit, value });

export function toConsent(r: Row): ConsentRow {
  return {
    id: r.id,
    consumerId: r.consumer_id,
    citizenId: r.citizen_id,
    purpose: r.purpose,
    scope: r.scope,
    status: r.status,
    createdAt: date(r.created_at),
    requestExpiresAt: date(r.request_expires_at),
    decidedAt: maybeDate(r.decided_at),
    grantedAt: maybeDate(r.granted_at),
    expiresAt: maybeDate(r.expires_at),
    revokedAt: maybeDate(r.revoked_at),
    terms: {
      start: maybeDate(r.starts_at),
      fetchType: r.fetch_type,
      frequency: periodOf(r.frequency_unit, r.frequency_value),
      dataLife: periodOf(r.data_life_unit, r.data_life_value),
    },
    purposeText: r.purpose_text,
    pausedAt: maybeDate(r.paused_at),
    supersededBy: r.superseded_by,
  };
}

export interface NewConsent {
  readonly id: string;
  readonly consumerId: string;
  readonly citizenId: string;
  readonly purpose: string;
  readonly scope: readonly ScopeItem[];
  readonly scopeKey: string;
  readonly createdAt: Date;
  readonly requestExpiresAt: Date;
  readonly terms: Terms;
  readonly termsKey: string;
  readonly purposeText: string;
}

export async function insertPending(q: Queryable, c: NewConsent): Promise<void> {
  const { start, fetchType, frequency, dataLife } = c.terms;
  await q.query(
    `INSERT INTO consents (id, consumer_id, citizen_id, purpose, scope, scope_key, status, created_at, request_expires_at,
       starts_at, fetch_type, frequency_unit, frequency_value, data_life_unit, data_life_value, terms_key, purpose_text)
     VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      c.id, c.consumerId, c.citizenId, c.purpose, JSON.stringify(c.scope), c.scopeKey, c.createdAt, c.requestExpiresAt,
      start, fetchType, frequency?.unit ?? null, frequency?.value ?? null, dataLife?.unit ?? null, dataLife?.value ?? null,
      c.termsKey, c.purposeText,
    ],
  );
}

export async function findConsent(q: Queryable, id: string, lock = false): Promise<ConsentRow | undefined> {
  const { rows } = await q.query<Row>(`SELECT ${columns} FROM consents WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  return rows[0] === undefined ? undefined : toConsent(rows[0]);
}

/**
 * The still-open requests of this application and purpose for the citizen, locked: one for exactly this scope and
 * these terms is reused (asking twice does not pile up requests); any other is superseded by a new one.
 */
export async function findOpen(
  q: Queryable,
  key: { consumerId: string; citizenId: string; purpose: string },
  now: Date,
): Promise<(ConsentRow & { scopeKey: string; termsKey: string })[]> {
  const { rows } = await q.query<Row & { scope_key: string; terms_key: string }>(
    `SELECT ${columns}, scope_key, terms_key FROM consents
     WHERE consumer_id = $1 AND citizen_id = $2 AND purpose = $3 AND status = 'PENDING' AND request_expires_at > $4
     ORDER BY created_at DESC, id FOR UPDATE`,
    [key.consumerId, key.citizenId, key.purpose, now],
  );
  return rows.map((r) => ({ ...toConsent(r), scopeKey: r.scope_key, termsKey: r.terms_key }));
}

export interface StatusChange {
  readonly status: ConsentStatus;
  readonly decidedAt?: Date;
  readonly grantedAt?: Date;
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
  readonly pausedAt?: Date;
  readonly supersededBy?: string;
  /** The purpose's text as registered when the citizen granted (what they read). */
  readonly purposeText?: string;
}

/** Moves a consent from `from` to a new status; false when it was no longer in `from` (nothing changed). */
export async function changeStatus(q: Queryable, id: string, from: ConsentStatus, change: StatusChange): Promise<boolean> {
  const result = await q.query(
    `UPDATE consents SET status = $3,
       decided_at = COALESCE($4, decided_at), granted_at = COALESCE($5, granted_at),
       expires_at = COALESCE($6, expires_at), revoked_at = COALESCE($7, revoked_at),
       paused_at = COALESCE($8, paused_at), superseded_by = COALESCE($9, superseded_by),
       purpose_text = COALESCE($10, purpose_text)
     WHERE id = $1 AND status = $2`,
    [
      id,
      from,
      change.status,
      change.decidedAt ?? null,
      change.grantedAt ?? null,
      change.expiresAt ?? null,
      change.revokedAt ?? null,
      change.pausedAt ?? null,
      change.supersededBy ?? null,
      change.purposeText ?? null,
    ],
  );
  return result.rowCount === 1;
}

export async function appendEvent(q: Queryable, consentId: string, event: ConsentEvent): Promise<void> {
  await q.query(
    "INSERT INTO consent_events (consent_id, at, actor, from_status, to_status, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    [consentId, event.at, event.actor, event.from, event.to, JSON.stringify(event.detail)],
  );
}

export async function listEvents(q: Queryable, consentId: string): Promise<ConsentEvent[]> {
  const { rows } = await q.query<{
    at: Date;
    actor: string;
    from_status: ConsentStatus | null;
    to_status: ConsentStatus;
    detail: Record<string, unknown>;
  }>("SELECT at, actor, from_status, to_status, detail FROM consent_events WHERE consent_id = $1 ORDER BY id", [
    consentId,
  ]);
  return rows.map((r) => ({ at: date(r.at), actor: r.actor, from: r.from_status, to: r.to_status, detail: r.detail }));
}

export async function listForCitizen(q: Queryable, citizenId: string, limit = 500): Promise<ConsentRow[]> {
  const { rows } = await q.query<Row>(
    `SELECT ${columns} FROM consents WHERE citizen_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
    [citizenId, limit],
  );
  return rows.map(toConsent);
}

export async function currentRevision(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ value: string | number }>("SELECT value FROM consent_revision");
  return Number(rows[0]?.value ?? 0);
}

/** The channel on which every revision is announced (Postgres NOTIFY), for other instances of the engine. */
export const revisionChannel = "ndx_consent_revision";

/** Raises the revision inside the caller's transaction and announces it when that transaction commits. */
export async function bumpRevision(q: Queryable, announcement: Record<string, unknown>): Promise<number> {
  const { rows } = await q.query<{ value: string | number }>(
    "UPDATE consent_revision SET value = value + 1 RETURNING value",
  );
  const revision = Number(rows[0]?.value);
  await q.query("SELECT pg_notify($1, $2)", [revisionChannel, JSON.stringify({ ...announcement, revision })]);
  return revision;
}

/** Consents whose time is up: requests unanswered past their expiry, grants past theirs. */
export async function dueForExpiry(q: Queryable, now: Date, limit = 200): Promise<{ id: string; status: ConsentStatus }[]> {
  const { rows } = await q.query<{ id: string; status: ConsentStatus }>(
    `SELECT id, status FROM consents
     WHERE (status = 'PENDING' AND request_expires_at <= $1) OR (status IN ('ACTIVE', 'PAUSED') AND expires_at <= $1)
     ORDER BY id LIMIT $2`,
    [now, limit],
  );
  return rows;
}
