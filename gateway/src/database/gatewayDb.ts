/**
 * The gateway's own database: PostgreSQL through a `pg` pool when DATABASE_URL is set (production), otherwise the
 * embedded PGlite under PGLITE_DIR — by default in a worker thread (workerDb.ts), so that the audit trail's INSERTs
 * run off the thread that serves requests.
 */
import { openDb, type Db } from "@ndx/platform";
import type { GatewayConfig } from "../config.ts";
import { openWorkerDb } from "./workerDb.ts";

/**
 * PGlite's settings for the gateway's tables. The audit trail is append-only and read by its newest pages (the chain's
 * head) or by index: 16 MB of shared buffers (PostgreSQL's default is 128 MB) hold its hot pages, and take about
 * 100 MB off the gateway's resident memory.
 */
const gatewayPgliteSettings: Readonly<Record<string, string>> = { shared_buffers: "16MB" };

export function openGatewayDb(config: Pick<GatewayConfig, "DATABASE_URL" | "PGLITE_DIR" | "PGLITE_WORKER">): Promise<Db> {
  const schema = "gateway";
  if (config.DATABASE_URL !== undefined) return openDb({ url: config.DATABASE_URL, schema });
  const options = { dataDir: config.PGLITE_DIR, schema, pgliteSettings: gatewayPgliteSettings };
  return config.PGLITE_WORKER ? openWorkerDb(options) : openDb(options);
}
