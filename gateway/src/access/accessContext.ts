/**
 * What the access plugin adds to a permitted request's context (with envelop's `extendContext`), for the subgraph
 * client: the caller it decided on and the audit event of that decision, which the signed caller assertion names;
 * and where the subgraph client puts the administrative changes subgraphs report, for the request's outcome record.
 */
import type { ForwardedCaller } from "@ndx/platform";
import type { AuditChange } from "../audit/auditEvent.ts";

export interface AccessContext {
  /** Set only on a permitted operation, after its decision is on the trail. */
  readonly ndxCaller?: ForwardedCaller;
  /** This request's administrative changes, as the subgraphs reported them (audit/auditChanges.ts). */
  readonly ndxChanges?: AuditChange[];
}
