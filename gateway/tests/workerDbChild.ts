/**
 * A gateway's audit trail on PGlite in its worker thread, in a process of its own that the test kills with SIGKILL:
 * it appends decisions one by one and prints each one's seq once `append()` resolved (the moment a request would
 * go on to read data).
 */
import { migrate, readMigrations } from "@ndx/platform";
import { openAuditLog } from "../src/audit/auditLog.ts";
import { gatewayMigrationsDir } from "../src/audit/migrations.ts";
import { openGatewayDb } from "../src/database/gatewayDb.ts";
import { permitRecord } from "./auditFixtures.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: workerDbChild.ts <dir>");
const db = await openGatewayDb({ DATABASE_URL: undefined, PGLITE_DIR: dir, PGLITE_WORKER: true });
await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
const log = await openAuditLog({ db, groupCommitMs: 0 });
for (let i = 0; ; i += 1) {
  const stored = await log.append(permitRecord(`1990${String(i).padStart(8, "0")}`));
  process.stdout.write(`stored ${stored.seq}\n`);
}
