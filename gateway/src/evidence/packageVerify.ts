/**
 * Verifies an evidence package with nothing but its bytes (no database, no network): every event's hash recomputed
 * from its content and linked to the one before, every checkpoint's signature (the package's JWKS, or one given),
 * time-stamp token (the package's TSA CA, or one given) and signed head against the events, every selected event
 * covered by a checkpoint, and every entry against the manifest. Names the first event, checkpoint or entry that fails.
 * A citizen's package (other events as hashes only) is verified chain by chain in citizenPackageVerify.ts.
 */
import type { JsonWebKeySet } from "@ndx/platform";
import { unzipSync } from "fflate";
import type * as pkijs from "pkijs";
import { chainHash, genesisHash, type ChainedEvent } from "../audit/auditEvent.ts";
import type { StoredCheckpoint } from "./checkpointStore.ts";
import { checkpointProblem } from "./checkpointVerify.ts";
import { verifyCitizenChain } from "./citizenPackageVerify.ts";
import { caPath, checkpointsPath, citizenPackageFormat, eventsPath, hashesPath, jwksPath, manifestPath, packageFormat, sha256Hex, type Manifest } from "./packageFormat.ts";
import { parsePemCertificates } from "./timeStampToken.ts";

export interface PackageVerdict {
  readonly ok: boolean;
  /** What was verified, or the first thing that failed. */
  readonly message: string;
  /** Where trust came from (the package's own keys and CA, or pinned ones): for the reader to compare. */
  readonly trust: readonly string[];
}

export interface PackageTrust {
  /** Checkpoint keys to trust instead of the package's. */
  readonly jwks?: JsonWebKeySet | undefined;
  /** TSA CA certificates (PEM) to trust instead of the package's. */
  readonly caPem?: string | undefined;
}

class Failure extends Error {}
const fail = (message: string): never => {
  throw new Failure(message);
};

function lines<T>(text: string, what: (line: number) => string): T[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        return fail(`${what(i)} cannot be read (not JSON)`);
      }
    });
}

async function fingerprint(certificate: pkijs.Certificate): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", certificate.toSchema().toBER(false))).toString("hex");
}

export async function verifyEvidencePackage(zip: Uint8Array, pinned: PackageTrust = {}): Promise<PackageVerdict> {
  const trust: string[] = [];
  try {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(zip);
    } catch {
      return fail("the file is not a readable zip");
    }
    const text = (path: string) => new TextDecoder().decode(entries[path] ?? fail(`the package has no ${path}`));
    let manifest: Manifest;
    try {
      manifest = JSON.parse(text(manifestPath)) as Manifest;
    } catch (error) {
      if (error instanceof Failure) throw error;
      return fail(`${manifestPath} cannot be read (not JSON)`);
    }
    const format: string = manifest.format;
    if (format !== packageFormat && format !== citizenPackageFormat) fail(`${manifestPath}: not an ${packageFormat as string} (it says ${format})`);
    const jwks = pinned.jwks ?? (JSON.parse(text(jwksPath)) as JsonWebKeySet);
    const caPem = pinned.caPem ?? (entries[caPath] === undefined ? undefined : text(caPath));
    const trusted = caPem === undefined ? undefined : parsePemCertificates(caPem);
    trust.push(`checkpoint keys (${pinned.jwks === undefined ? "from the package" : "pinned"}): ${jwks.keys.map((k) => k.kid).join(", ")}`);
    for (const c of trusted ?? []) trust.push(`TSA CA (${pinned.caPem === undefined ? "from the package" : "pinned"}): SHA-256 ${await fingerprint(c)}`);

    let events = 0;
    let checkpoints = 0;
    let stamped = 0;
    for (const [chain, range] of Object.entries(manifest.chains)) {
      if (format === citizenPackageFormat) {
        const verdict = await verifyCitizenChain(
          chain,
          range,
          {
            events: lines<ChainedEvent>(text(eventsPath(chain)), (i) => `chain ${chain}, line ${i + 1} of ${eventsPath(chain)}`),
            hashes: text(hashesPath(chain)).split("\n").filter((l) => l !== ""),
            checkpoints: lines<StoredCheckpoint>(text(checkpointsPath(chain)), (i) => `chain ${chain}, checkpoint on line ${i + 1}`),
          },
          { jwks, trusted },
        );
        if ("problem" in verdict) fail(verdict.problem);
        else {
          events += verdict.events;
          checkpoints += verdict.checkpoints;
          stamped += verdict.stamped;
        }
        continue;
      }
      const path = eventsPath(chain);
      const list = lines<ChainedEvent>(text(path), (i) => `chain ${chain}, event ${range.fromSeq + i} (line ${i + 1} of ${path})`);
      const bySeq = new Map<number, ChainedEvent>();
      let prev: string | undefined;
      list.forEach((event, i) => {
        const seq = range.fromSeq + i;
        const name = `chain ${chain}, event ${seq} (id ${event.id})`;
        if (event.chain !== chain || event.seq !== seq) fail(`${name}: out of place (it says chain ${event.chain}, event ${event.seq})`);
        if (prev !== undefined && event.prevHash !== prev) fail(`${name}: its previous-hash does not match the event before it`);
        if (seq === 1 && event.prevHash !== genesisHash) fail(`${name}: the first event does not start from the genesis hash`);
        const { chain: _c, seq: _s, prevHash, hash, ...content } = event;
        if (chainHash(chain, seq, prevHash, content) !== hash) fail(`${name}: its content does not match its hash`);
        prev = hash;
        bySeq.set(seq, event);
      });
      if (list.length !== range.toSeq - range.fromSeq + 1) fail(`chain ${chain}: ${list.length} events where the manifest says ${range.fromSeq} to ${range.toSeq}`);
      const cpPath = checkpointsPath(chain);
      const cps = lines<StoredCheckpoint>(text(cpPath), (i) => `chain ${chain}, checkpoint on line ${i + 1} of ${cpPath}`);
      for (const c of cps) {
        // The checkpoint before the range is tied to the first event's previous-hash.
        const eventHash = c.seq === range.fromSeq - 1 ? list[0]?.prevHash : bySeq.get(c.seq)?.hash;
        const problem = await checkpointProblem(c, eventHash, { jwks, trusted });
        if (problem !== undefined) fail(`chain ${chain}, checkpoint at event ${c.seq} (signed ${c.at}): ${problem}`);
      }
      const covered = cps.reduce((m, c) => Math.max(m, c.seq), 0);
      const late = range.selected.filter((s) => s > covered);
      if (late.length > 0) fail(`chain ${chain}, event ${late[0]}: no checkpoint in the package covers it`);
      events += list.length;
      checkpoints += cps.length;
      stamped += cps.filter((c) => c.tst !== null).length;
    }
    for (const [path, expected] of Object.entries(manifest.files)) {
      const bytes = entries[path];
      if (bytes === undefined) fail(`the package has no ${path}, which its manifest lists`);
      else if ((await sha256Hex(new Uint8Array(bytes))) !== expected) fail(`${path} does not match its SHA-256 in the manifest`);
    }
    const selected = Object.values(manifest.chains).reduce((n, r) => n + r.selected.length, 0);
    return {
      ok: true,
      trust,
      message: `Evidence package intact: ${selected} selected event(s), ${events} event(s) in ${Object.keys(manifest.chains).length} chain(s), ${checkpoints} signed checkpoint(s), ${stamped} of them time-stamped.`,
    };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, trust, message: `Evidence package FAILED: ${error.message}.` };
    throw error;
  }
}
