/**
 * The use log of a citizen's consents (issue 18): how many times each consent was used and when last, counted from
 * the gateway's audit trail — a use is a permitted decision naming the consent among its `consentIds` (the gateway
 * records every consent it relied on). The trail is read newest first through the audit API, at most `maxRecords`
 * records per page view; when more remain, the counts are lower bounds and the page says so.
 */
import type { ConsentView } from "../consentView.ts";
import type { AuditReader, CitizenAccess } from "./accessHistory.ts";

/** Records asked of the gateway per request (its maximum), and at most this many per page view. */
const batchSize = 200;
export const useLogMaxRecords = 1000;

export interface ConsentUse {
  readonly consent: ConsentView;
  readonly uses: number;
  /** ISO 8601, or null when never used. */
  readonly lastUsedAt: string | null;
}

export interface UseLog {
  readonly rows: readonly ConsentUse[];
  /** Whether older records were left unread: each count is then "at least". */
  readonly partial: boolean;
}

/** Counts the uses of each consent ever granted, in the accesses given (newest first). */
function countUses(consents: readonly ConsentView[], accesses: readonly CitizenAccess[], partial: boolean): UseLog {
  const rows = consents
    .filter((c) => c.grantedAt !== null)
    .map((consent) => {
      const used = accesses.filter((a) => a.decision === "permit" && a.consentIds.includes(consent.consentId));
      return { consent, uses: used.length, lastUsedAt: used[0]?.at ?? null };
    });
  return { rows, partial };
}

/** Reads the citizen's trail (newest first, up to the limit) and counts; AuditUnavailableError when it cannot be read. */
export async function readUseLog(reader: AuditReader, citizenId: string, consents: readonly ConsentView[]): Promise<UseLog> {
  const accesses: CitizenAccess[] = [];
  let before: string | undefined;
  let more = true;
  while (more && accesses.length < useLogMaxRecords) {
    const batch = await reader.accessesAbout(citizenId, { limit: batchSize, before });
    accesses.push(...batch);
    more = batch.length === batchSize;
    const last = batch.at(-1);
    before = last === undefined ? undefined : `${last.at}~${last.id}`;
  }
  return countUses(consents, accesses, more);
}
