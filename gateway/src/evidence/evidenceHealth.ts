/**
 * Whether personal data may be served, as far as evidence goes: the audit trail takes records (the audit log's
 * health) and what it holds is time-stamped. `covered(at)` is told, off the request path, each time everything
 * written up to `at` is in a time-stamped checkpoint; when that has not happened for `maxAgeMs` (counted from
 * start-up for a gateway that has never time-stamped) requests for personal data are refused with
 * EVIDENCE_UNAVAILABLE until the time-stamping authority answers again. Asking costs one comparison; no I/O.
 */
import type { Logger } from "@ndx/platform";
import type { AuditHealth } from "../audit/auditHealth.ts";

export interface EvidenceHealthOptions {
  readonly audit: { readonly healthy: boolean; health(): AuditHealth };
  /** False (development without AUDIT_TSA_URL): time-stamps are not required, only the audit log's health counts. */
  readonly required: boolean;
  /** Longest the trail may go without a time-stamp before personal data is refused. */
  readonly maxAgeMs: number;
  readonly logger?: Logger | undefined;
  /** Told of each refusal for missing time-stamps (metrics). */
  readonly onRefused?: (() => void) | undefined;
  /** Wall clock, ms. @default Date.now */
  readonly now?: () => number;
  /** Least time between two error logs while refusing. @default 60000 */
  readonly logEveryMs?: number;
}

export interface EvidenceRefusal {
  /** For the client. */
  readonly message: string;
  /** For the audit record. */
  readonly reason: string;
}

export interface EvidenceHealth {
  /** False: serve no personal data (see `refusal()`). */
  readonly healthy: boolean;
  /** Why not, for a refused request: counts it, and logs an error at most once per `logEveryMs`. */
  refusal(): EvidenceRefusal;
  /** Everything written up to `at` (ms) is in a time-stamped checkpoint. */
  covered(at: number): void;
  /** For /ready: rejects with the reason while personal data is refused. */
  check(): Promise<void>;
}

const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

export function createEvidenceHealth(options: EvidenceHealthOptions): EvidenceHealth {
  const { audit, required, maxAgeMs, logger } = options;
  const now = options.now ?? Date.now;
  const logEveryMs = options.logEveryMs ?? 60_000;
  let lastCovered: number | undefined;
  let deadline = required ? now() + maxAgeMs : Number.POSITIVE_INFINITY;
  let lastLog = Number.NEGATIVE_INFINITY;
  let refusing = false;
  const stale = () => now() > deadline;
  const staleReason = () =>
    lastCovered === undefined
      ? `no audit checkpoint has been time-stamped since this gateway started ${minutes(now() - (deadline - maxAgeMs))} ago`
      : `no audit checkpoint has been time-stamped for ${minutes(now() - lastCovered)} (since ${new Date(lastCovered).toISOString()})`;

  return {
    get healthy() {
      return audit.healthy && now() <= deadline;
    },
    refusal() {
      if (!audit.healthy) {
        return { message: "The access could not be recorded in the audit trail, so nothing was read", reason: "the audit trail cannot be written" };
      }
      const reason = staleReason();
      options.onRefused?.();
      refusing = true;
      if (now() - lastLog >= logEveryMs) {
        lastLog = now();
        logger?.error({ maxAgeMs }, `personal data refused: ${reason} (AUDIT_TIMESTAMP_MAX_AGE_MS ${maxAgeMs}); is the time-stamping authority answering?`);
      }
      return {
        message: `The audit trail cannot be time-stamped (${reason}), so no personal data is served; try again later`,
        reason,
      };
    },
    covered(at) {
      const wasStale = stale();
      lastCovered = Math.max(lastCovered ?? at, at);
      if (required) deadline = Math.max(deadline, lastCovered + maxAgeMs);
      if (wasStale && !stale() && refusing) {
        refusing = false;
        logger?.info("audit checkpoints are time-stamped again: personal data is served");
      }
    },
    check() {
      if (stale()) return Promise.reject(new Error(`${staleReason()}: personal data is refused (EVIDENCE_UNAVAILABLE)`));
      return Promise.resolve();
    },
  };
}
