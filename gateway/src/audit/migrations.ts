import { resolve } from "node:path";

/** The gateway's own tables (the audit trail), as versioned SQL migrations. */
export const gatewayMigrationsDir: string = resolve(import.meta.dirname, "../../migrations");
