/**
 * "Who saw my data": reads the audit events about one citizen from the gateway, which owns the audit trail
 * (`GET {gateway}/audit/citizens/{nic}/accesses`, service token). The consent engine never reads the gateway's
 * tables. The answer is checked against its contract (@ndx/contracts); anything unexpected, a timeout or an error status is an
 * `AuditUnavailableError` whose message never carries the upstream body.
 */
import { citizenAccessesAnswer, type CitizenAccess } from "@ndx/contracts";

export type { CitizenAccess };

export interface AuditReader {
  /**
   * The accesses about this citizen, newest first: at most `limit`; with `before`, only those after that position:
   * an ISO 8601 time, or `<time>~<id>` of the last access already read (so none sharing its millisecond is skipped).
   */
  accessesAbout(citizenId: string, options: { readonly limit: number; readonly before?: string | undefined }): Promise<CitizenAccess[]>;
  /**
   * The citizen's own evidence package (a zip: their records in full, everyone else's as hashes only, signed and
   * time-stamped checkpoints), for download. @default absent: no download offered
   */
  evidencePackage?(citizenId: string): Promise<Uint8Array>;
}

export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

export interface AuditReaderOptions {
  /** The gateway's base URL, e.g. http://localhost:4000. */
  readonly gatewayUrl: string;
  /** The gateway's AUDIT_READ_TOKEN. */
  readonly token: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/** The gateway's answer for `citizenId` (checked against the contract, @ndx/contracts), or an error when it is not exactly that. */
function parseAccessesAnswer(body: unknown, citizenId: string): CitizenAccess[] {
  const answer = citizenAccessesAnswer.parse(body);
  if (!answer.ok) throw new AuditUnavailableError(`the audit answer is malformed (${answer.problem})`);
  if (answer.value.citizenId !== citizenId) throw new AuditUnavailableError("the audit answer is not a list of accesses for this citizen");
  return [...answer.value.accesses];
}

export function createAuditReader(options: AuditReaderOptions): AuditReader {
  const base = options.gatewayUrl.endsWith("/") ? options.gatewayUrl : `${options.gatewayUrl}/`;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async accessesAbout(citizenId, { limit, before }) {
      const url = new URL(`audit/citizens/${encodeURIComponent(citizenId)}/accesses`, base);
      url.searchParams.set("limit", String(limit));
      if (before !== undefined) url.searchParams.set("before", before);
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization: `Bearer ${options.token}`, accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "error",
        });
      } catch (error) {
        const why = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "not reachable";
        throw new AuditUnavailableError(`the gateway's audit API is ${why}`);
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new AuditUnavailableError(`the gateway's audit API answered HTTP ${response.status}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new AuditUnavailableError("the gateway's audit API did not send a readable JSON answer");
      }
      return parseAccessesAnswer(body, citizenId);
    },
    async evidencePackage(citizenId) {
      const url = new URL(`audit/citizens/${encodeURIComponent(citizenId)}/evidence`, base);
      let response: Response;
      try {
        response = await fetch(url, { headers: { authorization: `Bearer ${options.token}`, accept: "application/zip" }, signal: AbortSignal.timeout(timeoutMs * 6), redirect: "error" });
      } catch {
        throw new AuditUnavailableError("the gateway's evidence package is not reachable");
      }
      if (response.status !== 200 || response.headers.get("content-type") !== "application/zip") {
        await response.body?.cancel();
        throw new AuditUnavailableError(`the gateway's evidence package answered HTTP ${response.status}`);
      }
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
