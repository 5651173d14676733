import { resolve } from "node:path";

/** The registry's versioned SQL migrations. */
export const migrationsDir: string = resolve(import.meta.dirname, "../migrations");
