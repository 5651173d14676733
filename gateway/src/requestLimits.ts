/**
 * Request protection, all before execution: body size, document tokens, depth, aliases, directives and cost limits
 * (graphql-armor), CSRF prevention for browser requests, and — in production — no introspection. Every refusal is a
 * BAD_USER_INPUT naming the limit, and no subgraph is called.
 *
 * Batching stays off (yoga's default): a JSON array body is refused with 400 "Batching is not supported", so each
 * request is one operation — which the rate limit counts and the trusted-document mark relies on (rateLimit.ts,
 * trustedDocuments.ts).
 */
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import type { Plugin } from "graphql-yoga";

export interface RequestLimits {
  /** Largest request body. @default 65536 */
  readonly maxBodyBytes?: number;
  /** @default 1000 */
  readonly maxTokens?: number;
  /** @default 10 */
  readonly maxDepth?: number;
  /** @default 15 */
  readonly maxAliases?: number;
  /** @default 20 */
  readonly maxDirectives?: number;
  /** graphql-armor cost: objects 2, scalars 1, multiplied by depth. @default 5000 */
  readonly maxCost?: number;
  /** Refuse introspection (production). @default false */
  readonly disableIntrospection?: boolean;
}

function tooLarge(limit: number): Response {
  return Response.json(
    { errors: [{ message: `The request body is larger than ${limit} bytes`, extensions: { code: "BAD_USER_INPUT" } }] },
    { status: 413 },
  );
}

/** The limits as yoga/envelop plugins, in the order they apply; each is its own concern. */
export function requestLimitPlugins(limits: RequestLimits = {}): Plugin[] {
  const armor = { exposeLimits: true, propagateOnRejection: true, ignoreIntrospection: true };
  const plugins: Plugin[] = [
    useBodyLimit(limits.maxBodyBytes ?? 65_536),
    useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "x-purpose", "authorization"] }),
    maxTokensPlugin({ ...armor, n: limits.maxTokens ?? 1000 }),
    maxDepthPlugin({ ...armor, n: limits.maxDepth ?? 10, flattenFragments: true }),
    maxAliasesPlugin({ ...armor, n: limits.maxAliases ?? 15 }),
    maxDirectivesPlugin({ ...armor, n: limits.maxDirectives ?? 20 }),
    costLimitPlugin({ ...armor, maxCost: limits.maxCost ?? 5000 }),
  ];
  if (limits.disableIntrospection === true) plugins.push(useDisableIntrospection());
  return plugins;
}

/** Refuses a body over the limit with 413, before it is parsed. */
function useBodyLimit(maxBodyBytes: number): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      if (request.method !== "POST") return;
      const declared = request.headers.get("content-length");
      if (declared !== null) {
        if (Number(declared) > maxBodyBytes) endResponse(tooLarge(maxBodyBytes));
        return;
      }
      // No declared length (chunked): measure what arrives, on a copy, and stop at the limit.
      const reader = request.clone().body?.getReader();
      let size = 0;
      while (reader !== undefined) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBodyBytes) {
          await reader.cancel();
          endResponse(tooLarge(maxBodyBytes));
          return;
        }
      }
    },
  };
}
