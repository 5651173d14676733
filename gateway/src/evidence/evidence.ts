/**
 * The gateway's evidence, composed once at start-up (accessControl.ts): the checkpoint key (given, or kept in the
 * evidence directory in development), the TSA client, the evidence health the access decision asks, the checkpoint
 * writer on its timer, the archive of old events on its own, the audit JWKS plugin and the readiness check. `close()` runs the last checkpoint: call it
 * after the audit log's flush.
 */
import type { Db, Logger } from "@ndx/platform";
import type { Plugin } from "graphql-yoga";
import type { AuditHealth } from "../audit/auditHealth.ts";
import { readFile } from "node:fs/promises";
import { startArchiveSchedule, type ArchiveSchedule } from "./archiveSchedule.ts";
import { fileArchiveStore } from "./archiveStore.ts";
import type { PackageTrustFiles } from "./packageBuild.ts";
import { useAuditJwks } from "./auditJwks.ts";
import { checkpointJwks, loadOrCreateKeptKey } from "./checkpointKeys.ts";
import { startCheckpointWriter, type CheckpointEvent, type CheckpointWriter } from "./checkpointWriter.ts";
import type { EvidenceSettings } from "./evidenceConfig.ts";
import { createEvidenceHealth, type EvidenceHealth } from "./evidenceHealth.ts";
import { createTsaClient } from "./tsaClient.ts";

export interface EvidenceOptions {
  readonly settings: EvidenceSettings;
  readonly db: Db;
  /** This replica's audit chain. */
  readonly chain: string;
  readonly audit: { readonly healthy: boolean; health(): AuditHealth };
  readonly policyRevision: () => string | null;
  readonly logger: Logger;
  /** Checkpoints signed, time-stamps got and missed, and refusals for missing time-stamps (metrics). @default none */
  readonly metrics?: { checkpoint(event: CheckpointEvent): void; evidenceRefused(): void } | undefined;
}

export interface Evidence {
  readonly health: EvidenceHealth;
  readonly writer: CheckpointWriter;
  readonly plugins: Plugin[];
  /** Archives this chain's events older than the hot retention. */
  readonly archive: ArchiveSchedule;
  /** The checkpoint JWKS and TSA CA that packages carry. */
  readonly trust: PackageTrustFiles;
  close(): Promise<void>;
}

export async function startEvidence(options: EvidenceOptions): Promise<Evidence> {
  const { settings, logger } = options;
  let key = settings.key;
  if (key === undefined) {
    const kept = await loadOrCreateKeptKey(settings.dir);
    key = kept.key;
    logger.info({ kid: key.kid, dir: settings.dir, created: kept.created }, "development: audit checkpoints signed with the key kept in the evidence directory");
  }
  if (settings.tsaUrl === undefined) logger.warn("development: no AUDIT_TSA_URL, so audit checkpoints are signed but not time-stamped");
  const health = createEvidenceHealth({
    audit: options.audit,
    required: settings.tsaUrl !== undefined,
    maxAgeMs: settings.maxAgeMs,
    logger,
    onRefused: options.metrics?.evidenceRefused,
  });
  const writer = startCheckpointWriter({
    db: options.db,
    chain: options.chain,
    key,
    intervalMs: settings.intervalMs,
    stamper: settings.tsaUrl === undefined ? undefined : createTsaClient({ url: settings.tsaUrl, timeoutMs: 3000 }),
    policyRevision: options.policyRevision,
    evidence: health,
    logger,
    onEvent: options.metrics?.checkpoint,
  });
  const jwks = checkpointJwks(key.publicJwk, settings.previousKeys);
  const caPem = await readFile(settings.tsaCaFile, "utf8").catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  });
  const archive = startArchiveSchedule({
    db: options.db,
    store: fileArchiveStore(settings.archive.dir),
    chain: options.chain,
    retentionDays: settings.archive.retentionDays,
    requireTimeStamp: settings.tsaUrl !== undefined,
    trust: { jwks, caPem },
    intervalMs: settings.archive.intervalMs,
    logger,
  });
  return {
    health,
    writer,
    archive,
    trust: { jwks, caPem },
    plugins: [useAuditJwks(jwks)],
    close: async () => {
      await archive.close();
      await writer.close();
    },
  };
}
