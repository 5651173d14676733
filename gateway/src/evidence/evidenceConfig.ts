/**
 * The evidence settings (docs/evidence.md, docs/operations.md): checkpoint interval and key, the time-stamping
 * authority and the longest the trail may go without a time-stamp. Outside development a checkpoint key and a TSA
 * are required; in development the key is kept in AUDIT_EVIDENCE_DIR and an unset AUDIT_TSA_URL means no
 * time-stamps (and no refusal for their lack). A key is never put in an error message.
 */
import { dirname, resolve } from "node:path";
import { ConfigError, parseGatewayPublicKey, parseGatewaySigningKey, setting, type Environment, type GatewaySigningKey, type PublicJwk } from "@ndx/platform";

export const evidenceConfigSpec = {
  /** How often each replica signs (and time-stamps) its audit chain's head; also at shutdown. @default 60000 */
  AUDIT_CHECKPOINT_INTERVAL_MS: setting.int(60_000, { min: 100, max: 3_600_000 }),
  /** The checkpoint signing key (Ed25519 or P-256, PEM or JWK); required outside development (with ACCESS_CONTROL on). @default development: kept in AUDIT_EVIDENCE_DIR */
  AUDIT_CHECKPOINT_KEY: setting.optionalString(),
  /** The previous checkpoint key (public or private; its public half is published) after a rotation. @default none */
  AUDIT_CHECKPOINT_KEY_PREVIOUS: setting.optionalString(),
  /** Where development keeps its checkpoint key. @default "<PGLITE_DIR>-evidence" */
  AUDIT_EVIDENCE_DIR: setting.optionalString(),
  /** The RFC 3161 time-stamping authority (POST application/timestamp-query); required outside development. @default development: none */
  AUDIT_TSA_URL: setting.optionalUrl(),
  /** The TSA's CA certificate(s), PEM, that `audit:verify` trusts. @default the dev TSA's .data/time-stamping-authority/ca.pem */
  AUDIT_TSA_CA_FILE: setting.optionalString(),
  /** Longest the trail may go without a time-stamped checkpoint before personal data is refused (EVIDENCE_UNAVAILABLE). @default 14400000 (4 h) */
  AUDIT_TIMESTAMP_MAX_AGE_MS: setting.int(14_400_000, { min: 1000, max: 30 * 86_400_000 }),
  /** Events older than this many days leave the hot table for signed, time-stamped packages in the archive. @default 30 */
  AUDIT_HOT_RETENTION_DAYS: setting.int(30, { min: 0, max: 36_500 }),
  /** The archive directory (the file-system archive store). @default "<PGLITE_DIR>-archive" */
  AUDIT_ARCHIVE_DIR: setting.optionalString(),
  /** How often each replica archives its chain's old events. @default 3600000 (1 h) */
  AUDIT_ARCHIVE_INTERVAL_MS: setting.int(3_600_000, { min: 1000, max: 7 * 86_400_000 }),
};

export interface EvidenceSettings {
  readonly intervalMs: number;
  /** The checkpoint key given in the environment; undefined in development: the key kept in `dir`. */
  readonly key: GatewaySigningKey | undefined;
  readonly previousKeys: readonly PublicJwk[];
  readonly dir: string;
  /** Undefined (development only): no time-stamps. */
  readonly tsaUrl: string | undefined;
  readonly tsaCaFile: string;
  readonly maxAgeMs: number;
  /** The archive of old events (evidence/archiver.ts). */
  readonly archive: {
    readonly dir: string;
    readonly retentionDays: number;
    readonly intervalMs: number;
  };
}

/** Where npm start keeps the development TSA's CA: beside the gateway's own data (`<data dir>/time-stamping-authority`). */
const developmentTsaCaFile = (pgliteDir: string) => resolve(dirname(pgliteDir), "time-stamping-authority", "ca.pem");

export function evidenceSettingsFrom(parsed: {
  readonly NDX_ENV: Environment;
  readonly ACCESS_CONTROL: boolean;
  readonly PGLITE_DIR: string;
  readonly AUDIT_CHECKPOINT_INTERVAL_MS: number;
  readonly AUDIT_CHECKPOINT_KEY: string | undefined;
  readonly AUDIT_CHECKPOINT_KEY_PREVIOUS: string | undefined;
  readonly AUDIT_EVIDENCE_DIR: string | undefined;
  readonly AUDIT_TSA_URL: string | undefined;
  readonly AUDIT_TSA_CA_FILE: string | undefined;
  readonly AUDIT_TIMESTAMP_MAX_AGE_MS: number;
  readonly AUDIT_HOT_RETENTION_DAYS: number;
  readonly AUDIT_ARCHIVE_DIR: string | undefined;
  readonly AUDIT_ARCHIVE_INTERVAL_MS: number;
}): EvidenceSettings {
  const problems: string[] = [];
  // Without the access plugin there is no audit trail to checkpoint (the bench's plain gateway).
  const development = parsed.NDX_ENV === "development" || !parsed.ACCESS_CONTROL;
  let key: GatewaySigningKey | undefined;
  if (parsed.AUDIT_CHECKPOINT_KEY !== undefined) {
    try {
      key = parseGatewaySigningKey(parsed.AUDIT_CHECKPOINT_KEY);
    } catch (error) {
      problems.push(`AUDIT_CHECKPOINT_KEY: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 private key, PEM or JWK)`);
    }
  } else if (!development) {
    problems.push(`AUDIT_CHECKPOINT_KEY: must be set to the private key that signs audit checkpoints (Ed25519 or P-256, PEM or JWK) when NDX_ENV=${parsed.NDX_ENV}`);
  }
  const previousKeys: PublicJwk[] = [];
  if (parsed.AUDIT_CHECKPOINT_KEY_PREVIOUS !== undefined) {
    try {
      previousKeys.push(parseGatewayPublicKey(parsed.AUDIT_CHECKPOINT_KEY_PREVIOUS));
    } catch (error) {
      problems.push(`AUDIT_CHECKPOINT_KEY_PREVIOUS: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 key, PEM or JWK)`);
    }
  }
  if (parsed.AUDIT_TSA_URL === undefined && !development) {
    problems.push(`AUDIT_TSA_URL: must be set to an RFC 3161 time-stamping authority when NDX_ENV=${parsed.NDX_ENV}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    intervalMs: parsed.AUDIT_CHECKPOINT_INTERVAL_MS,
    key,
    previousKeys,
    dir: resolve(parsed.AUDIT_EVIDENCE_DIR ?? `${parsed.PGLITE_DIR}-evidence`),
    tsaUrl: parsed.AUDIT_TSA_URL,
    tsaCaFile: resolve(parsed.AUDIT_TSA_CA_FILE ?? developmentTsaCaFile(parsed.PGLITE_DIR)),
    maxAgeMs: parsed.AUDIT_TIMESTAMP_MAX_AGE_MS,
    archive: {
      dir: resolve(parsed.AUDIT_ARCHIVE_DIR ?? `${parsed.PGLITE_DIR}-archive`),
      retentionDays: parsed.AUDIT_HOT_RETENTION_DAYS,
      intervalMs: parsed.AUDIT_ARCHIVE_INTERVAL_MS,
    },
  };
}
