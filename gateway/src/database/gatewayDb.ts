/**
 * The gateway's own database: PostgreSQL through a `pg` pool when DATABASE_URL is set (production), otherwise the
 * embedded PGlite under PGLITE_DIR — by default in a worker thread (workerDb.ts), so that the audit trail's INSERTs
 * run off the thread that serves requests.
 */
import { openDb, type Db } from "@ndx/platform";
import type { GatewayConfig } from "../config.ts";
import { openWorkerDb } from "./workerDb.ts";

export function openGatewayDb(config: Pick<GatewayConfig, "DATABASE_URL" | "PGLITE_DIR" | "PGLITE_WORKER">): Promise<Db> {
  const schema = "gateway";
  if (config.DATABASE_URL !== undefined) return openDb({ url: config.DATABASE_URL, schema });
  // PGlite's settings are the platform's (`pgliteDefaults`: 16 MB of shared buffers hold the audit trail's hot pages).
  const options = { dataDir: config.PGLITE_DIR, schema };
  return config.PGLITE_WORKER ? openWorkerDb(options) : openDb(options);
}
