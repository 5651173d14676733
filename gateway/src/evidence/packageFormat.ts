/**
 * An evidence package (docs/evidence.md), a zip in the spirit of ASiC-E, entries stored uncompressed:
 * - `manifest.json`: the format, what was asked, each chain's range and selected events, and the SHA-256 of every
 *   other entry;
 * - `events/<chain>.jsonl`: one stored event per line (every column, its hash and previous hash), in sequence from
 *   the event after the checkpoint before the first selected one to the checkpoint that covers the last;
 * - `checkpoints/<chain>.jsonl`: those checkpoints, one per line (the JWS and the RFC 3161 token);
 * - `keys/audit-jwks.json` and `certificates/tsa-ca.pem`: what they verify with (a verifier may pin its own).
 */
export const packageFormat = "ndx-evidence-package/1";
/**
 * A citizen's package (citizenPackage.ts): the same entries, but `events/<chain>.jsonl` holds only the selected events
 * (the citizen's, in full) and `hashes/<chain>.txt` the hash of every event of the range, one per line, which the
 * checkpoints' signed segment roots commit to. Nothing of another citizen's events but their hashes.
 */
export const citizenPackageFormat = "ndx-citizen-evidence-package/1";
export const hashesPath = (chain: string) => `hashes/${encodeURIComponent(chain)}.txt`;

export interface PackageQuery {
  /** ISO 8601. */
  readonly from: string;
  readonly to: string;
  readonly citizen?: string | undefined;
  readonly consumer?: string | undefined;
}

export interface ChainRange {
  /** The first and last event in the package (the range is contiguous). */
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The events the query selected. */
  readonly selected: readonly number[];
}

export interface Manifest {
  readonly format: typeof packageFormat | typeof citizenPackageFormat;
  readonly createdAt: string;
  readonly query: PackageQuery;
  readonly chains: Readonly<Record<string, ChainRange>>;
  /** Entry path → SHA-256 (hex) of its bytes. */
  readonly files: Readonly<Record<string, string>>;
}

export const manifestPath = "manifest.json";
export const jwksPath = "keys/audit-jwks.json";
export const caPath = "certificates/tsa-ca.pem";
export const eventsPath = (chain: string) => `events/${encodeURIComponent(chain)}.jsonl`;
export const checkpointsPath = (chain: string) => `checkpoints/${encodeURIComponent(chain)}.jsonl`;

export const toJsonl = (items: readonly unknown[]): string => items.map((i) => `${JSON.stringify(i)}\n`).join("");
export const sha256Hex = async (bytes: Uint8Array<ArrayBuffer>): Promise<string> =>
  Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
