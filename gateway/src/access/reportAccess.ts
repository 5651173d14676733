/**
 * Who may read one of the gateway's reports (`GET /audit/summary`, `GET /operational-records`): the caller's bearer
 * token, verified by the access plugin's authenticator, and the policy's `report` rule (data.json `reports`) — plus,
 * whatever a policy says, staff only.
 */
import { endpointError, isNdxError, type ErrorCode } from "@ndx/platform";
import type { AccessPolicy } from "@ndx/policy";
import { accessTime } from "./accessTime.ts";
import type { Authenticator, Caller } from "./consumerAuth.ts";

export interface ReportAccessOptions {
  readonly authenticator: Authenticator;
  readonly policy: { readonly current: AccessPolicy };
  /** The exchange's time zone, for the policy's `input.time`. @default "UTC" */
  readonly timezone?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The refusal for an authenticator's error: its code, status and headers, never anything else of it. */
function refusal(error: unknown): Response {
  if (isNdxError(error)) {
    const http = error.extensions["http"] as { status?: number; headers?: Record<string, string> } | undefined;
    return endpointError(error.extensions["code"] as ErrorCode, error.message, { ...(http?.status === undefined ? {} : { status: http.status }), headers: http?.headers ?? {} });
  }
  return endpointError("UNAUTHENTICATED", "the token is not a valid access token", { headers: { "www-authenticate": "Bearer" } });
}

/**
 * Decides one request for `report` (its name in the policy data); a refusal says `notForCaller` ("the audit summary
 * is not for this caller") and the policy's reasons. Either the caller, or the Response that refuses it.
 */
export function createReportAccess(options: ReportAccessOptions) {
  const now = options.now ?? (() => new Date());
  const clock = accessTime(options.timezone ?? "UTC");
  return async (request: Request, report: string, notForCaller: string): Promise<{ readonly caller: Caller } | { readonly refused: Response }> => {
    let caller: Caller;
    try {
      caller = await options.authenticator.authenticate(request.headers.get("authorization"));
    } catch (error) {
      return { refused: refusal(error) };
    }
    const decision = options.policy.current.evaluate({
      caller: caller.kind,
      operation: "report",
      report,
      roles: caller.roles,
      subjects: [],
      fields: [],
      mutations: [],
      time: clock(now()),
    });
    // Defence in depth: whatever a policy says, a report on the exchange is never an application's or a citizen's.
    if (!decision.allow || caller.kind !== "staff") {
      return { refused: endpointError("FORBIDDEN", `${notForCaller}: ${decision.reasons.join("; ") || "staff only"}`) };
    }
    return { caller };
  };
}
