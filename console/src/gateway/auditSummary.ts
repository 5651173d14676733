/**
 * The gateway's GET /audit/summary answer as the console reads it: the wire shape is `AuditSummary` of @ndx/contracts
 * (the gateway builds it with the same type), checked before use with its contract — every field's type and every
 * list of counts aligned with the dates — so a changed answer shows as "not understood" rather than as wrong figures.
 */
import { parseAuditSummary, type AuditSummary } from "@ndx/contracts";

export { consentAnswerKinds, decisionKinds, type AuditSummary } from "@ndx/contracts";

export function readAuditSummary(body: unknown): AuditSummary | undefined {
  const parsed = parseAuditSummary(body);
  return parsed.ok ? parsed.value : undefined;
}
