/**
 * What the access plugin adds to a permitted request's context (with envelop's `extendContext`), for the subgraph
 * client: the caller it decided on and the audit event of that decision, which the signed caller assertion names.
 */
import type { ForwardedCaller } from "@ndx/platform";

export interface AccessContext {
  /** Set only on a permitted operation, after its decision is on the trail. */
  readonly ndxCaller?: ForwardedCaller;
}
