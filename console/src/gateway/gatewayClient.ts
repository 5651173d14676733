/**
 * The console's only way to the exchange: the gateway's GraphQL (`GATEWAY_URL/graphql`) and its audit summary, each
 * call with the signed-in staff member's own access token, so every action passes the gateway's authentication,
 * policy and audit as that person. Errors come back as GatewayError with the gateway's code, message and reasons
 * (what the staff member is shown); nothing else of an answer is shown.
 */
import type { AuditSummary } from "./auditSummary.ts";
import { readAuditSummary } from "./auditSummary.ts";

export class GatewayError extends Error {
  override name = "GatewayError";
  /** extensions.code (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, CONFLICT, NOT_FOUND, UPSTREAM_UNAVAILABLE...). */
  readonly code: string;
  /** FORBIDDEN's policy reasons, when given. */
  readonly reasons: readonly string[];
  /** The input field a BAD_USER_INPUT names (the exchange's `extensions.field`, e.g. `redirectUris[0]`), when given. */
  readonly field: string | undefined;
  constructor(code: string, message: string, reasons: readonly string[] = [], field?: string) {
    super(message);
    this.code = code;
    this.reasons = reasons;
    this.field = field;
  }
}

export interface GatewayClientOptions {
  /** The gateway's base URL. */
  readonly url: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

export interface GatewayClient {
  /** Runs one operation; its data, or a GatewayError (the first error's code; every error's message). */
  graphql<T>(accessToken: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  auditSummary(accessToken: string, days: number): Promise<AuditSummary>;
}

interface GraphQLAnswer {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown; reasons?: unknown; field?: unknown } }[];
}

const unreachable = () => new GatewayError("UPSTREAM_UNAVAILABLE", "The gateway could not be reached. Try again in a moment.");

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const graphqlUrl = new URL("/graphql", options.url).toString();
  const timeout = options.timeoutMs ?? 15_000;
  return {
    async graphql<T>(accessToken: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let answer: GraphQLAnswer;
      try {
        const response = await fetch(graphqlUrl, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeout),
        });
        answer = (await response.json()) as GraphQLAnswer;
      } catch {
        throw unreachable();
      }
      const errors = Array.isArray(answer.errors) ? answer.errors : [];
      if (errors.length > 0) {
        const first = errors[0];
        const code = typeof first?.extensions?.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
        const reasons = errors.flatMap((e) => (Array.isArray(e.extensions?.reasons) ? e.extensions.reasons.filter((r): r is string => typeof r === "string") : []));
        const messages = [...new Set(errors.map((e) => (typeof e.message === "string" ? e.message : "Something went wrong")))];
        const field = typeof first?.extensions?.field === "string" ? first.extensions.field : undefined;
        throw new GatewayError(code, messages.join(" "), reasons, field);
      }
      if (answer.data === undefined || answer.data === null) throw new GatewayError("INTERNAL_SERVER_ERROR", "The gateway sent no data.");
      return answer.data as T;
    },
    async auditSummary(accessToken, days) {
      let status: number;
      let body: unknown;
      try {
        const response = await fetch(new URL(`/audit/summary?days=${days}`, options.url), {
          headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
          signal: AbortSignal.timeout(timeout),
        });
        status = response.status;
        body = await response.json();
      } catch {
        throw unreachable();
      }
      if (status !== 200) {
        const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        throw new GatewayError(
          typeof error?.code === "string" ? error.code : "INTERNAL_SERVER_ERROR",
          typeof error?.message === "string" ? error.message : `The gateway answered HTTP ${status}.`,
        );
      }
      const summary = readAuditSummary(body);
      if (summary === undefined) throw new GatewayError("INTERNAL_SERVER_ERROR", "The gateway's audit summary was not understood.");
      return summary;
    },
  };
}
