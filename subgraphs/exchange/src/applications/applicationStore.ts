/** Applications and their purposes. The sealed registration secrets are read only by `sealedRegistration`. */
import type { Queryable } from "@ndx/platform";
import type { DataClass } from "../catalogue/fieldCatalogue.ts";
import { iso, isoOrNull } from "../storage/time.ts";
import type { Translation } from "./translations.ts";

export type AuthMethod = "CLIENT_SECRET_BASIC" | "PRIVATE_KEY_JWT";
export type ClientRegistrationKind = "STATIC" | "DYNAMIC";
export type ApplicationStatus = "ACTIVE" | "SUSPENDED";

export interface Purpose {
  readonly code: string;
  readonly text: string;
  readonly legalBasis: string;
  readonly maxConsentDays: number;
  readonly maxGrantDays: number;
  /** The citizen text in other languages than the application's. */
  readonly translations: readonly Translation[];
}

export interface Application {
  readonly id: string;
  readonly member: string;
  readonly name: string;
  readonly description: string;
  /** The BCP 47 tag of the language its name, description and purpose texts are registered in. */
  readonly language: string;
  readonly nameTranslations: readonly Translation[];
  readonly redirectUris: readonly string[];
  readonly authMethod: AuthMethod;
  readonly clientRegistration: ClientRegistrationKind;
  readonly clearance: DataClass;
  readonly bulkAccess: boolean;
  readonly status: ApplicationStatus;
  readonly suspendedReason: string | null;
  readonly createdAt: string;
  readonly secretIssuedAt: string | null;
}

export interface NewApplication {
  readonly id: string;
  readonly member: string;
  readonly name: string;
  readonly description: string;
  /** @default "en" */
  readonly language?: string;
  /** @default [] */
  readonly nameTranslations?: readonly Translation[];
  readonly redirectUris: readonly string[];
  readonly authMethod: AuthMethod;
  readonly clientRegistration: ClientRegistrationKind;
  readonly registrationSealed: string | null;
  readonly purposes: readonly (Omit<Purpose, "translations"> & { readonly translations?: readonly Translation[] })[];
  readonly secretIssued: boolean;
}

interface ApplicationRow {
  id: string;
  member_code: string;
  name: string;
  description: string;
  language: string;
  name_translations: Translation[];
  redirect_uris: string[];
  auth_method: AuthMethod;
  client_registration: ClientRegistrationKind;
  clearance: DataClass;
  bulk_access: boolean;
  status: ApplicationStatus;
  suspended_reason: string | null;
  created_at: unknown;
  secret_issued_at: unknown;
}

const columns = `id, member_code, name, description, language, name_translations, redirect_uris, auth_method, client_registration, clearance, bulk_access,
  status, suspended_reason, created_at, secret_issued_at`;

const toApplication = (r: ApplicationRow): Application => ({
  id: r.id,
  member: r.member_code,
  name: r.name,
  description: r.description,
  language: r.language,
  nameTranslations: r.name_translations,
  redirectUris: r.redirect_uris,
  authMethod: r.auth_method,
  clientRegistration: r.client_registration,
  clearance: r.clearance,
  bulkAccess: r.bulk_access,
  status: r.status,
  suspendedReason: r.suspended_reason,
  createdAt: iso(r.created_at),
  secretIssuedAt: isoOrNull(r.secret_issued_at),
});

export const applicationStore = {
  async list(db: Queryable, filter: { members?: readonly string[] | undefined; ids?: readonly string[] | undefined } = {}): Promise<Application[]> {
    const { rows } = await db.query<ApplicationRow>(
      `SELECT ${columns} FROM application
        WHERE ($1::text[] IS NULL OR member_code = ANY($1::text[])) AND ($2::text[] IS NULL OR id = ANY($2::text[]))
        ORDER BY member_code, name, id`,
      [filter.members ?? null, filter.ids ?? null],
    );
    return rows.map(toApplication);
  },
  async get(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<Application | undefined> {
    const { rows } = await db.query<ApplicationRow>(`SELECT ${columns} FROM application WHERE id = $1${options.lock === true ? " FOR UPDATE" : ""}`, [id]);
    const row = rows[0];
    return row === undefined ? undefined : toApplication(row);
  },
  async purposesOf(db: Queryable, ids: readonly string[]): Promise<(Purpose & { readonly application: string })[]> {
    const { rows } = await db.query<{
      application_id: string;
      code: string;
      text: string;
      legal_basis: string;
      max_consent_days: number;
      max_grant_days: number;
      translations: Translation[];
    }>(
      `SELECT application_id, code, text, legal_basis, max_consent_days, max_grant_days, translations FROM purpose
        WHERE application_id = ANY($1::text[]) ORDER BY application_id, position`,
      [ids],
    );
    return rows.map((r) => ({
      application: r.application_id,
      code: r.code,
      text: r.text,
      legalBasis: r.legal_basis,
      maxConsentDays: r.max_consent_days,
      maxGrantDays: r.max_grant_days,
      translations: r.translations,
    }));
  },
  /** The purpose codes of `codes` that some application has already. */
  async takenPurposeCodes(db: Queryable, codes: readonly string[]): Promise<string[]> {
    return (await db.query<{ code: string }>("SELECT code FROM purpose WHERE code = ANY($1::text[])", [codes])).rows.map((r) => r.code);
  },
  async insert(tx: Queryable, app: NewApplication): Promise<void> {
    await tx.query(
      `INSERT INTO application (id, member_code, name, description, redirect_uris, auth_method, client_registration,
         registration_sealed, secret_issued_at, language, name_translations)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, CASE WHEN $9::boolean THEN now() END, $10, $11::jsonb)`,
      [
        app.id,
        app.member,
        app.name,
        app.description,
        JSON.stringify(app.redirectUris),
        app.authMethod,
        app.clientRegistration,
        app.registrationSealed,
        app.secretIssued,
        app.language ?? "en",
        JSON.stringify(app.nameTranslations ?? []),
      ],
    );
    for (const [position, p] of app.purposes.entries()) {
      await tx.query(
        `INSERT INTO purpose (code, application_id, position, text, legal_basis, max_consent_days, max_grant_days, translations)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [p.code, app.id, position, p.text, p.legalBasis, p.maxConsentDays, p.maxGrantDays, JSON.stringify(p.translations ?? [])],
      );
    }
  },
  async sealedRegistration(db: Queryable, id: string): Promise<string | null> {
    const { rows } = await db.query<{ registration_sealed: string | null }>("SELECT registration_sealed FROM application WHERE id = $1", [id]);
    return rows[0]?.registration_sealed ?? null;
  },
  async secretIssued(tx: Queryable, id: string, registrationSealed: string): Promise<void> {
    await tx.query("UPDATE application SET secret_issued_at = now(), registration_sealed = $2 WHERE id = $1", [id, registrationSealed]);
  },
  /** Replaces the name's translations (unless undefined) and those of the purposes given. */
  async setTranslations(
    tx: Queryable,
    id: string,
    nameTranslations: readonly Translation[] | undefined,
    purposes: readonly { readonly code: string; readonly translations: readonly Translation[] }[],
  ): Promise<void> {
    if (nameTranslations !== undefined) await tx.query("UPDATE application SET name_translations = $2::jsonb WHERE id = $1", [id, JSON.stringify(nameTranslations)]);
    for (const p of purposes) {
      await tx.query("UPDATE purpose SET translations = $3::jsonb WHERE application_id = $1 AND code = $2", [id, p.code, JSON.stringify(p.translations)]);
    }
  },
  async setStatus(tx: Queryable, id: string, status: ApplicationStatus, reason: string | null): Promise<void> {
    await tx.query("UPDATE application SET status = $2, suspended_reason = $3 WHERE id = $1", [id, status, reason]);
  },
};

/** An application as the audit trail shows it: everything but secrets (the exchange keeps no client secret at all). */
export async function applicationSnapshot(db: Queryable, id: string): Promise<(Application & { purposes: Purpose[] }) | null> {
  const app = await applicationStore.get(db, id);
  if (app === undefined) return null;
  const purposes = (await applicationStore.purposesOf(db, [id])).map(({ application: _a, ...p }) => p);
  return { ...app, purposes };
}
