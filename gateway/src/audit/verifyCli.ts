/**
 * `npm run audit:verify [-- --allow-empty]`: walks the gateway's audit trail (DATABASE_URL, or PGLITE_DIR) and names
 * the first broken link (exit 1), or says how long each chain is (exit 0); then checks every signed checkpoint
 * (AUDIT_CHECKPOINT_KEY's JWKS, AUDIT_TSA_CA_FILE) against the chains and names the first that fails (exit 1).
 * Archived events (AUDIT_ARCHIVE_DIR) are verified first, package by package, and each hot chain from its archive's end. It never creates a database: one that is
 * missing, has no audit table, or holds an empty trail (unless `--allow-empty`) is exit 2 with the reason.
 */
import { loadGatewayConfig } from "../config.ts";
import { archiveVerifyOptions, checkpointVerifyOptions } from "../evidence/verifyOptions.ts";
import { runVerifyCommand } from "./verifyCommand.ts";

const usage = "usage: npm run audit:verify [-- --allow-empty]\n";
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--allow-empty");
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(usage);
} else if (unknown.length > 0) {
  process.stderr.write(`audit:verify: unknown argument ${unknown.join(" ")}\n${usage}`);
  process.exitCode = 2;
} else {
  try {
    const config = loadGatewayConfig(process.env);
    const result = await runVerifyCommand({
      url: config.DATABASE_URL,
      dataDir: config.PGLITE_DIR,
      allowEmpty: args.includes("--allow-empty"),
      checkpoints: await checkpointVerifyOptions(config.evidence),
      archive: await archiveVerifyOptions(config.evidence),
    });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.exitCode;
  } catch (error) {
    process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
