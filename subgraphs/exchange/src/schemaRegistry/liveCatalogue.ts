/**
 * The exchange's field catalogue (what grants can name, `exchangeFields`) following the schema registry's active
 * supergraph: built from the active supergraph at start-up, and again after each activation — in this process at
 * once, in other exchange processes over the same PostgreSQL when the register's revision moves (one small query for
 * the active supergraph's hash per revision).
 */
import type { Db, Logger } from "@ndx/platform";
import { buildFieldCatalogue, type FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import type { RevisionFeed } from "../storage/revisions.ts";

export interface LiveCatalogue extends FieldCatalogue {
  /** Reads the active supergraph and rebuilds the catalogue when its hash changed. */
  refresh(): Promise<void>;
  close(): void;
}

export function createLiveCatalogue(db: Db, initial: FieldCatalogue, revisions: RevisionFeed, logger: Logger): LiveCatalogue {
  let current = initial;
  let hash: string | undefined;
  let refreshing: Promise<void> | undefined;
  async function load(): Promise<void> {
    const { rows } = await db.query<{ hash: string }>("SELECT hash FROM schema_supergraph ORDER BY position DESC LIMIT 1");
    const active = rows[0]?.hash;
    if (active === undefined || active === hash) return;
    const sdl = await db.query<{ sdl: string }>("SELECT sdl FROM schema_supergraph WHERE hash = $1 ORDER BY position DESC LIMIT 1", [active]);
    const text = sdl.rows[0]?.sdl;
    if (text === undefined) return;
    current = buildFieldCatalogue(text);
    hash = active;
    logger.info({ hash }, "field catalogue follows the active supergraph");
  }
  const refresh = () => (refreshing ??= load().finally(() => (refreshing = undefined)));
  const unsubscribe = revisions.subscribe(() => {
    refresh().catch((err: unknown) => logger.warn({ err }, "the active supergraph could not be read; the field catalogue stays"));
  });
  return {
    fields: (provider) => current.fields(provider),
    field: (provider, coordinate) => current.field(provider, coordinate),
    get providers() {
      return current.providers;
    },
    refresh,
    close: unsubscribe,
  };
}
