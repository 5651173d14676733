/**
 * A process that archives the audit trail, for the kill -9 test (evidenceArchive.test.ts): it archives every chain
 * with the real archiver and file store, and when ARCHIVE_PAUSE_AT ("<step>:<n>", the n-th time that step is
 * reached) names a step, prints "paused <step> <name>" and waits there to be killed. Prints "done <json>" at the end.
 */
import { readFileSync } from "node:fs";
import { openDb, parseGatewaySigningKey } from "@ndx/platform";
import { archiveChain, type ArchiveStep } from "../src/evidence/archiver.ts";
import { fileArchiveStore } from "../src/evidence/archiveStore.ts";
import { checkpointJwks } from "../src/evidence/checkpointKeys.ts";

const env = process.env;
const [pauseStep, pauseCount] = (env["ARCHIVE_PAUSE_AT"] ?? "").split(":");
let reached = 0;
const db = await openDb({ url: env["DATABASE_URL"], dataDir: env["PGLITE_DIR"], schema: "gateway", existing: true, poolSize: 2 });
const key = parseGatewaySigningKey(env["CHECKPOINT_KEY"] ?? "");
const trust = { jwks: checkpointJwks(key.publicJwk, []), caPem: readFileSync(env["TSA_CA_FILE"] ?? "", "utf8") };
const store = fileArchiveStore(env["ARCHIVE_DIR"] ?? "");
const pause = async (step: ArchiveStep, name: string): Promise<void> => {
  if (step !== pauseStep || ++reached !== Number(pauseCount)) return;
  process.stdout.write(`paused ${step} ${name}\n`);
  await new Promise(() => setInterval(() => undefined, 60_000));
};
const runs: Record<string, unknown> = {};
for (const chain of ["replica-a", "replica-b"]) {
  runs[chain] = await archiveChain({ db, store, chain, retentionDays: 0, trust, maxEvents: 4, pause });
}
await db.close();
process.stdout.write(`done ${JSON.stringify(runs)}\n`);
