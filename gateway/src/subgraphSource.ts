/**
 * How the gateway calls one subgraph: global fetch with a timeout, and failures turned into the error codes of
 * DESIGN.md naming the provider — UPSTREAM_TIMEOUT or UPSTREAM_UNAVAILABLE — never the subgraph's body or the
 * network error's text. The query planner carries on with the other fetches, so the rest of the data comes back.
 */
import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { gatewayHeaders, ndxError, type ForwardedCaller, type Logger } from "@ndx/platform";
import type { GraphQLError } from "graphql";

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
  readonly logger: Logger;
  /** The credential subgraphs trust; the caller named by the access plugin goes along with it. */
  readonly serviceToken?: string | undefined;
  /** Told of every call's outcome (metrics). */
  readonly onCall?: (provider: string, outcome: "ok" | "error" | "timeout") => void;
}

export function createSubgraphSource(options: SubgraphSourceOptions): RemoteGraphQLDataSource {
  const { name, url, timeoutMs = 10_000, logger, serviceToken, onCall } = options;
  return new RemoteGraphQLDataSource<Record<string, unknown>>({
    url,
    willSendRequest({ request, context }) {
      if (serviceToken === undefined) return;
      const caller = (context as { ndxCaller?: ForwardedCaller }).ndxCaller;
      for (const [k, v] of Object.entries(gatewayHeaders(serviceToken, caller))) request.http?.headers.set(k, v);
    },
    fetcher: (input, init) =>
      fetch(input, {
        method: init?.method ?? "POST",
        headers: init?.headers ?? {},
        body: typeof init?.body === "string" || init?.body === undefined ? (init?.body ?? null) : new Uint8Array(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      }),
    didReceiveResponse({ response }) {
      onCall?.(name, "ok");
      return response;
    },
    didEncounterError(error: Error, _request: unknown, response?: { status: number }) {
      onCall?.(name, error.name === "TimeoutError" || error.name === "AbortError" ? "timeout" : "error");
      logger.warn({ provider: name, status: response?.status, cause: error.message }, "subgraph call failed");
      throw upstreamError(name, error, response?.status);
    },
  });
}

export function upstreamError(provider: string, error: Error, status: number | undefined): GraphQLError {
  const details = { provider };
  // Inside a partial result the HTTP status stays 200; the error carries the code.
  if (error.name === "TimeoutError" || error.name === "AbortError") {
    return ndxError("UPSTREAM_TIMEOUT", `The ${provider} provider did not answer in time`, {
      details,
      httpStatus: false,
    });
  }
  const why = status === undefined ? "is unavailable" : `answered with an error (HTTP ${status})`;
  return ndxError("UPSTREAM_UNAVAILABLE", `The ${provider} provider ${why}`, { details, httpStatus: false });
}
