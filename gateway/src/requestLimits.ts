/**
 * Request protection, all before execution: body size, document tokens, depth, aliases, directives and cost limits
 * (graphql-armor), input values' depth and NUL characters (platform inputLimits.ts), CSRF prevention for browser
 * requests, limits on introspection, and — in production — no introspection and no "Did you mean …" suggestions.
 * Every refusal is a BAD_USER_INPUT naming the limit, and no subgraph is called.
 *
 * Batching stays off (yoga's default): a JSON array body is refused with 400 "Batching is not supported", so each
 * request is one operation — which the rate limit counts and the trusted-document mark relies on (access/rateLimit.ts,
 * access/trustedDocuments.ts).
 */
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { useBodyLimit, useInputLimits } from "@ndx/platform";
import type { Plugin } from "graphql-yoga";
import { useIntrospectionLimits } from "./introspectionLimits.ts";
import { useNoSuggestions } from "./suggestions.ts";

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
  /** Deepest nesting of lists and objects in a variable or a literal (JSON payloads, filters). @default 32 */
  readonly maxInputDepth?: number;
  /**
   * Deepest nesting of lists in a value written in the query. Apollo's query planner (federation-internals
   * collectVariablesInValue) walks each list literal's items twice per enclosing list: 2^depth steps, 36 s at 26.
   * @default 8
   */
  readonly maxLiteralListDepth?: number;
  /** Most `ofType` nested in an introspection query, where introspection is on. @default 9 */
  readonly maxIntrospectionOfTypeDepth?: number;
  /** Refuse introspection (production). @default false */
  readonly disableIntrospection?: boolean;
  /** Strip graphql-js's "Did you mean …" from error messages. @default the value of disableIntrospection */
  readonly hideSuggestions?: boolean;
}

/** The limits as yoga/envelop plugins, in the order they apply; each is its own concern. */
export function requestLimitPlugins(limits: RequestLimits = {}): Plugin[] {
  // ignoreIntrospection leaves `__schema` out of depth and cost (GraphiQL's query exceeds both): useIntrospectionLimits
  // bounds it instead. Aliases and tokens are counted for introspection as for anything else.
  const armor = { exposeLimits: true, propagateOnRejection: true, ignoreIntrospection: true };
  const plugins: Plugin[] = [
    useBodyLimit(limits.maxBodyBytes ?? 65_536),
    useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf", "x-purpose", "authorization"] }),
    maxTokensPlugin({ ...armor, n: limits.maxTokens ?? 1000 }),
    maxDepthPlugin({ ...armor, n: limits.maxDepth ?? 10, flattenFragments: true }),
    maxAliasesPlugin({ ...armor, n: limits.maxAliases ?? 15 }),
    maxDirectivesPlugin({ ...armor, n: limits.maxDirectives ?? 20 }),
    costLimitPlugin({ ...armor, maxCost: limits.maxCost ?? 5000 }),
    useInputLimits({ maxDepth: limits.maxInputDepth ?? 32, maxLiteralListDepth: limits.maxLiteralListDepth ?? 8 }),
    useIntrospectionLimits({ maxOfTypeDepth: limits.maxIntrospectionOfTypeDepth ?? 9 }),
  ];
  if (limits.disableIntrospection === true) plugins.push(useDisableIntrospection());
  if (limits.hideSuggestions ?? limits.disableIntrospection === true) plugins.push(useNoSuggestions());
  return plugins;
}
