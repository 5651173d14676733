import { resolve } from "node:path";

/** consent-engine/migrations: NNN_name.sql, applied in order by @ndx/platform's migrate. */
export const migrationsDir: string = resolve(import.meta.dirname, "../migrations");
