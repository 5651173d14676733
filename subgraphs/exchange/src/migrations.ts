import { resolve } from "node:path";

/** The exchange's versioned SQL migrations. */
export const migrationsDir: string = resolve(import.meta.dirname, "../migrations");
