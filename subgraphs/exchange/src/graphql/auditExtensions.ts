/**
 * Puts the request's administrative changes into the response as `extensions.ndxAudit` (`{ action, target, before,
 * after }`, an array when there are several), which the gateway records in its hash-chained audit trail.
 */
import type { ExecutionResult } from "graphql";
import type { AuditEntry } from "../history/changes.ts";

interface DonePayload {
  readonly args: { readonly contextValue: unknown };
  readonly result: unknown;
  setResult(result: ExecutionResult): void;
}

const auditOf = (context: unknown): readonly AuditEntry[] =>
  typeof context === "object" && context !== null && "audit" in context && Array.isArray(context.audit) ? (context.audit as AuditEntry[]) : [];

export function useAuditExtensions() {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }: DonePayload) {
          const audit = auditOf(args.contextValue);
          if (audit.length === 0 || typeof result !== "object" || result === null || Symbol.asyncIterator in result) return;
          const done = result as ExecutionResult;
          setResult({ ...done, extensions: { ...done.extensions, ndxAudit: audit.length === 1 ? audit[0] : [...audit] } });
        },
      };
    },
  };
}
