/** `npm run audit:verify`: walks the gateway's audit trail and names the first broken link (exit 1), or says how long each chain is. */
import { migrate, openDb, readMigrations } from "@ndx/platform";
import { loadGatewayConfig } from "../config.ts";
import { gatewayMigrationsDir } from "./migrations.ts";
import { verifyAuditTrail } from "./auditVerify.ts";

const config = loadGatewayConfig(process.env);
try {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "gateway" });
  try {
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const report = await verifyAuditTrail(db);
    if (report.ok) {
      const chains = Object.entries(report.chains);
      const total = chains.reduce((n, [, c]) => n + c, 0);
      process.stdout.write(
        `Audit trail intact: ${total} events in ${chains.length} chain(s)${chains.length > 0 ? ` (${chains.map(([n, c]) => `${n}: ${c}`).join(", ")})` : ""}.\n`,
      );
    } else {
      const b = report.broken;
      process.stdout.write(`Audit trail BROKEN at chain ${b?.chain}, event ${b?.seq} (id ${b?.id}): ${b?.reason}.\n`);
      process.exitCode = 1;
    }
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
