/** The refusals of the access plugin, each with its code and HTTP status (docs/architecture.md#errors). */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import type { OpenedRequest } from "./consentCheck.ts";

export function consentRequired(citizenId: string, request: OpenedRequest): GraphQLError {
  const names = request.missing.map((m) => `${m.field} (${m.provider})`).join(", ");
  return ndxError("CONSENT_REQUIRED", `Citizen ${citizenId} has not consented to: ${names}. Send them to consentUrl.`, {
    details: {
      consentUrl: request.consentUrl,
      consentRequestId: request.consentRequestId,
      citizenId,
      missing: request.missing,
    },
  });
}

export function forbidden(reasons: readonly string[]): GraphQLError {
  return ndxError("FORBIDDEN", `Access denied by policy: ${reasons.join("; ")}`, { details: { reasons } });
}

export function notRecorded(message = "The access could not be recorded in the audit trail, so nothing was read"): GraphQLError {
  return ndxError("EVIDENCE_UNAVAILABLE", message);
}

/** Something the access plugin did not expect (never with its internals): nothing was read. */
export function undecided(): GraphQLError {
  return ndxError("INTERNAL_SERVER_ERROR", "The access could not be decided, so nothing was read");
}

/** The exchange's register has not been heard from within its deadline: what it grants cannot be known. */
export function registerUnreachable(): GraphQLError {
  return ndxError("UPSTREAM_UNAVAILABLE", "The exchange's register cannot be reached, so nothing was read", { details: { provider: "exchange" } });
}
