/** Consumer registrations (id, name, purposes, registered redirect URIs), seeded from the fixtures. */
import type { Consumer } from "@ndx/contracts";
import type { Queryable } from "@ndx/platform";

export interface ConsumerRegistration {
  readonly id: string;
  readonly name: string;
  readonly purposes: readonly string[];
  readonly redirectUris: readonly string[];
}

interface Row {
  id: string;
  name: string;
  purposes: string[];
  redirect_uris: string[];
}

const toRegistration = (r: Row): ConsumerRegistration => ({
  id: r.id,
  name: r.name,
  purposes: r.purposes,
  redirectUris: r.redirect_uris,
});

/** Inserts or updates each consumer exactly as the fixtures have it; others are left alone. */
export async function seedConsumers(db: Queryable, consumers: readonly Consumer[], now: Date): Promise<number> {
  for (const c of consumers) {
    await db.query(
      `INSERT INTO consumers (id, name, purposes, redirect_uris, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, purposes = EXCLUDED.purposes,
         redirect_uris = EXCLUDED.redirect_uris, updated_at = EXCLUDED.updated_at`,
      [c.id, c.name, JSON.stringify(c.purposes), JSON.stringify(c.redirectUris), now],
    );
  }
  return consumers.length;
}

export async function findConsumer(db: Queryable, id: string): Promise<ConsumerRegistration | undefined> {
  const { rows } = await db.query<Row>("SELECT id, name, purposes, redirect_uris FROM consumers WHERE id = $1", [id]);
  return rows[0] === undefined ? undefined : toRegistration(rows[0]);
}

export async function listConsumers(db: Queryable): Promise<ConsumerRegistration[]> {
  const { rows } = await db.query<Row>("SELECT id, name, purposes, redirect_uris FROM consumers ORDER BY id");
  return rows.map(toRegistration);
}

/** Exact match only: no prefixes, no normalisation, so a registered URI cannot be stretched to another. */
export function isRegisteredRedirect(consumer: ConsumerRegistration, redirectUri: string): boolean {
  return consumer.redirectUris.includes(redirectUri);
}
