/** What every adapter accepts besides its upstream's address and credentials: resilience and subgraph settings. */
import type { Logger, ServiceMetrics, SubgraphTrustOptions, Tracing } from "@ndx/platform";
import type { BackoffOptions } from "./backoff.ts";

export interface AdapterCommonOptions {
  /** Per-attempt upstream timeout. @default 2000 */
  readonly timeoutMs?: number;
  /** Retries of idempotent calls. @default 2 */
  readonly retries?: number;
  /** @default { baseMs: 100, maxMs: 2000 } */
  readonly backoff?: BackoffOptions;
  /** @default { failureThreshold: 5, resetAfterMs: 10000 } */
  readonly breaker?: { readonly failureThreshold?: number; readonly resetAfterMs?: number; readonly now?: () => number };
  /** GraphiQL on GET /graphql; never with `gatewayTrust` (only the gateway may call). @default true */
  readonly graphiql?: boolean;
  /**
   * Where the gateway's keys are: every GraphQL request must then carry its caller assertion for this subgraph.
   * @default undefined: no check (tests of the adapter alone)
   */
  readonly gatewayTrust?: SubgraphTrustOptions | undefined;
  /** GET /metrics: requests by operation, the upstream's breaker and calls. @default a registry of its own */
  readonly metrics?: ServiceMetrics | undefined;
  /** OpenTelemetry: a SERVER span per request, a CLIENT span per upstream call. @default undefined: off, nothing registered */
  readonly tracing?: Tracing | undefined;
  readonly logger: Logger;
}
