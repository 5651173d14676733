/**
 * oidc-provider's storage (its `Adapter` interface): registered clients and their registration access tokens in the
 * database (schema `idp`, table `oidc_store`), so that they outlive a restart; everything short-lived (sessions,
 * interactions, authorization codes, grants, the initial access token, replay detection) in memory (memoryStore.ts),
 * as oidc-provider keeps them by default — a restart signs people out, as before.
 *
 * Clients are read on every token request: they are cached in this process and the cache is updated on every write
 * here. One provider process per database (the development provider is one process).
 */
import { resolve } from "node:path";
import { migrate, openDb, readMigrations, type Db } from "@ndx/platform";
import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";
import { createMemoryStore } from "./memoryStore.ts";

/** The models kept in the database; all others stay in memory. */
export const persistedModels: ReadonlySet<string> = new Set(["Client", "RegistrationAccessToken"]);

export const migrationsDir: string = resolve(import.meta.dirname, "../migrations");

export interface ClientStoreOptions {
  /** A postgres:// URL. @default undefined: PGlite under `dataDir` */
  readonly url?: string | undefined;
  /** PGlite's directory. @default undefined: in memory */
  readonly dataDir?: string | undefined;
}

/** Opens (and migrates) the provider's database. */
export async function openClientStore(options: ClientStoreOptions): Promise<Db> {
  const db = await openDb({ schema: "idp", url: options.url, dataDir: options.dataDir });
  try {
    await migrate(db, readMigrations(migrationsDir), "ndx:identity-provider");
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function dbAdapter(db: Db, model: string, cache: Map<string, AdapterPayload> | undefined): Adapter {
  const unsupported = (what: string) => () => Promise.reject(new Error(`${model} has no ${what} in the database store`));
  return {
    async upsert(id, payload, expiresIn) {
      await db.query(
        `INSERT INTO oidc_store (model, id, payload, expires_at) VALUES ($1, $2, $3, CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int) END)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at, consumed_at = NULL`,
        [model, id, JSON.stringify(payload), typeof expiresIn === "number" ? expiresIn : null],
      );
      cache?.set(id, payload);
    },
    async find(id) {
      const cached = cache?.get(id);
      if (cached !== undefined) return cached;
      const { rows } = await db.query<{ payload: AdapterPayload; consumed: number | null }>(
        `SELECT payload, extract(epoch FROM consumed_at)::int AS consumed FROM oidc_store
          WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [model, id],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const payload = row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed };
      cache?.set(id, payload);
      return payload;
    },
    async consume(id) {
      cache?.delete(id);
      await db.query("UPDATE oidc_store SET consumed_at = now() WHERE model = $1 AND id = $2", [model, id]);
    },
    async destroy(id) {
      cache?.delete(id);
      await db.query("DELETE FROM oidc_store WHERE model = $1 AND id = $2", [model, id]);
    },
    findByUid: unsupported("uid index"),
    findByUserCode: unsupported("user-code index"),
    revokeByGrantId: unsupported("grant index"),
  };
}

/** The adapter factory for oidc-provider's `adapter` option over `db`. */
export function clientStoreAdapter(db: Db): AdapterFactory {
  const memory = createMemoryStore();
  // oidc-provider asks once per model and keeps the adapter.
  return (model) => (persistedModels.has(model) ? dbAdapter(db, model, model === "Client" ? new Map() : undefined) : memory(model));
}
