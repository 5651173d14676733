/**
 * `npm run audit:export -- --from <time> --to <time> [--citizen NIC [--for-citizen] | --consumer ID] --out <file.zip>`
 * (`--for-citizen`: other citizens' events as hashes only, citizenPackage.ts) and
 * `npm run audit:verify-package -- <file.zip> [--ca tsa-ca.pem] [--jwks audit-jwks.json]`. Relative paths are read
 * from where npm was started (INIT_CWD), not the gateway's folder. Exit 0: done or intact; 1: the package fails
 * (the event, checkpoint or entry is named); 2: nothing could be done (arguments, database, files).
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDb, type JsonWebKeySet } from "@ndx/platform";
import { loadGatewayConfig } from "../config.ts";
import { checkpointJwks, readKeptPublicKey } from "./checkpointKeys.ts";
import { exportCitizenPackage } from "./citizenPackage.ts";
import { exportEvidencePackage } from "./packageExport.ts";
import { verifyEvidencePackage } from "./packageVerify.ts";

const here = (path: string) => resolve(process.env["INIT_CWD"] ?? process.cwd(), path);
const usage = {
  export: "usage: npm run audit:export -- --from <ISO time> --to <ISO time> [--citizen NIC [--for-citizen] | --consumer ID] --out <file.zip>\n",
  verify: "usage: npm run audit:verify-package -- <file.zip> [--ca tsa-ca.pem] [--jwks audit-jwks.json]\n",
};

class UsageError extends Error {}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function runExport(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { from: { type: "string" }, to: { type: "string" }, citizen: { type: "string" }, consumer: { type: "string" }, out: { type: "string" }, "for-citizen": { type: "boolean" } },
  });
  const { from, to, citizen, consumer, out } = values;
  const forCitizen = values["for-citizen"] === true;
  if (forCitizen && citizen === undefined) throw new UsageError("--for-citizen needs --citizen");
  if (from === undefined || to === undefined || out === undefined) throw new UsageError("--from, --to and --out are required");
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) throw new UsageError("--from and --to must be ISO 8601 times");
  if (citizen !== undefined && consumer !== undefined) throw new UsageError("give --citizen or --consumer, not both");
  const config = loadGatewayConfig(process.env);
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "gateway", existing: true, poolSize: 1 });
  try {
    const jwks = checkpointJwks(config.evidence.key?.publicJwk ?? (await readKeptPublicKey(config.evidence.dir)), config.evidence.previousKeys);
    const query = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...(citizen === undefined ? {} : { citizen }), ...(consumer === undefined ? {} : { consumer }) };
    const trust = { jwks, caPem: await readOptional(config.evidence.tsaCaFile) };
    if (forCitizen && citizen !== undefined) {
      // Other citizens' events as their hashes only: a package the citizen may be given.
      const own = await exportCitizenPackage(db, { from: query.from, to: query.to, citizen }, trust);
      await writeFile(here(out), own.zip);
      const count = Object.values(own.manifest.chains).reduce((n, r) => n + r.selected.length, 0);
      process.stdout.write(`Citizen's evidence package written to ${here(out)}: ${count} of their event(s) in ${Object.keys(own.manifest.chains).length} chain(s), other events as hashes only.\n`);
      return 0;
    }
    const result = await exportEvidencePackage(db, query, trust);
    await writeFile(here(out), result.zip);
    const selected = Object.values(result.manifest.chains).reduce((n, r) => n + r.selected.length, 0);
    process.stdout.write(`Evidence package written to ${here(out)}: ${selected} selected event(s) in ${Object.keys(result.manifest.chains).length} chain(s).\n`);
    if (result.uncovered > 0) process.stderr.write(`audit:export: warning: ${result.uncovered} selected event(s) are not yet covered by a checkpoint; export again after the next one.\n`);
    return 0;
  } finally {
    await db.close();
  }
}

async function runVerify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ca: { type: "string" }, jwks: { type: "string" } } });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError("give exactly one package file");
  const jwks = values.jwks === undefined ? undefined : (JSON.parse(await readFile(here(values.jwks), "utf8")) as JsonWebKeySet);
  const caPem = values.ca === undefined ? undefined : await readFile(here(values.ca), "utf8");
  const verdict = await verifyEvidencePackage(new Uint8Array(await readFile(here(file))), { jwks, caPem });
  process.stdout.write(`${verdict.message}\n${verdict.trust.map((t) => `  trusting ${t}\n`).join("")}`);
  return verdict.ok ? 0 : 1;
}

const [command, ...rest] = process.argv.slice(2);
const which = command === "export" ? "export" : "verify";
try {
  if (rest.includes("--help") || rest.includes("-h")) process.stdout.write(usage[which]);
  else process.exitCode = command === "export" ? await runExport(rest) : await runVerify(rest);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`audit:${which === "export" ? "export" : "verify-package"}: ${message}\n${error instanceof UsageError || (error as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? usage[which] : ""}`);
  process.exitCode = 2;
}
