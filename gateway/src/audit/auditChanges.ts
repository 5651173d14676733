/**
 * What an administrative mutation changed, as the subgraph that made the change reports it: the exchange subgraph
 * answers a mutation with `extensions.ndxAudit`, a list of `{action, target, before, after}`. The gateway takes it off
 * the subgraph's response (the client never sees it) and records it in the outcome of that request's audit record
 * (`OutcomeEntry.changes`), so every administrative action — who (the decision's caller), what, before and after —
 * is in the hash chain.
 */
import type { Logger } from "@ndx/platform";
import type { AuditChange } from "./auditEvent.ts";

/** The response extension that carries the changes. */
export const auditExtension = "ndxAudit";

/** The changes in `reported` (a subgraph's `extensions.ndxAudit`); an entry that is not one is logged and left out. */
export function readAuditChanges(provider: string, reported: unknown, logger: Logger): AuditChange[] {
  const entries = Array.isArray(reported) ? (reported as unknown[]) : [reported];
  const changes: AuditChange[] = [];
  for (const entry of entries) {
    const e = typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
    const action = e?.["action"];
    const target = e?.["target"] ?? null;
    if (e === undefined || typeof action !== "string" || action === "" || (target !== null && typeof target !== "string")) {
      logger.warn({ provider }, "a subgraph reported an administrative change that is not {action, target, before, after}; not recorded");
      continue;
    }
    changes.push({ provider, action, target, before: e["before"] ?? null, after: e["after"] ?? null });
  }
  return changes;
}
