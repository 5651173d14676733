/** PROTOTYPE (see gatewayVariant.ts): the gateway's audit log on PGlite, on a worker thread. */
import { parentPort, workerData } from "node:worker_threads";
import { gatewayMigrationsDir, openAuditLog } from "@ndx/gateway";
import { migrate, openDb, readMigrations } from "@ndx/platform";

const { url, dataDir, chain } = workerData as { url: string | undefined; dataDir: string; chain: string };
const db = await openDb({ url, dataDir, schema: "gateway" });
await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
const audit = await openAuditLog({ db, chain });

parentPort?.on("message", (m: { id: number; op: "ready" | "append" | "flush" | "close"; content?: Parameters<typeof audit.append>[0] }) => {
  const reply = (p: Promise<unknown>) =>
    p.then(
      (event) => parentPort?.postMessage({ id: m.id, event }),
      (error: unknown) => parentPort?.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) }),
    );
  if (m.op === "ready") void reply(Promise.resolve(null));
  else if (m.op === "append" && m.content !== undefined) void reply(audit.append(m.content));
  else if (m.op === "flush") void reply(audit.flush());
  else if (m.op === "close") void reply(audit.flush().then(() => db.close()));
});
