/**
 * "Who saw my data": reads the audit events about one citizen from the gateway, which owns the audit trail
 * (`GET {gateway}/audit/citizens/{nic}/accesses`, service token). The consent engine never reads the gateway's
 * tables. The answer is checked field by field; anything unexpected, a timeout or an error status is an
 * `AuditUnavailableError` whose message never carries the upstream body.
 */

export interface AccessedField {
  readonly provider: string;
  readonly field: string;
}

export interface CitizenAccess {
  readonly id: string;
  /** ISO 8601. */
  readonly at: string;
  readonly consumer: string | null;
  readonly purpose: string | null;
  /** "permit", "consent_required", "forbidden", "unauthenticated", "bad_request" (or a later one). */
  readonly decision: string | null;
  readonly fields: readonly AccessedField[];
  readonly consentIds: readonly string[];
}

export interface AuditReader {
  /**
   * The accesses about this citizen, newest first: at most `limit`; with `before`, only those after that position:
   * an ISO 8601 time, or `<time>~<id>` of the last access already read (so none sharing its millisecond is skipped).
   */
  accessesAbout(citizenId: string, options: { readonly limit: number; readonly before?: string | undefined }): Promise<CitizenAccess[]>;
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

const isString = (v: unknown): v is string => typeof v === "string";
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === "string";

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseField(value: unknown): AccessedField | undefined {
  const r = record(value);
  return r !== undefined && isString(r["provider"]) && isString(r["field"]) ? { provider: r["provider"], field: r["field"] } : undefined;
}

function parseAccess(value: unknown): CitizenAccess | undefined {
  const r = record(value);
  if (r === undefined) return undefined;
  const { id, at, consumer, purpose, decision, fields, consentIds } = r;
  if (!isString(id) || !isString(at) || Number.isNaN(Date.parse(at))) return undefined;
  if (!isNullableString(consumer) || !isNullableString(purpose) || !isNullableString(decision)) return undefined;
  if (!Array.isArray(fields) || !Array.isArray(consentIds) || !consentIds.every(isString)) return undefined;
  const parsedFields = fields.map(parseField);
  if (parsedFields.some((f) => f === undefined)) return undefined;
  return {
    id,
    at,
    consumer,
    purpose,
    decision,
    fields: parsedFields.filter((f): f is AccessedField => f !== undefined),
    consentIds: consentIds.filter(isString),
  };
}

/** The gateway's answer for `citizenId`, or an error when it is not exactly that. */
function parseAccessesAnswer(body: unknown, citizenId: string): CitizenAccess[] {
  const r = record(body);
  if (r === undefined || r["citizenId"] !== citizenId || !Array.isArray(r["accesses"])) {
    throw new AuditUnavailableError("the audit answer is not a list of accesses for this citizen");
  }
  const accesses = r["accesses"].map(parseAccess);
  if (accesses.some((a) => a === undefined)) throw new AuditUnavailableError("the audit answer holds a malformed access");
  return accesses.filter((a): a is CitizenAccess => a !== undefined);
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
  };
}
