/**
 * How the gateway calls one subgraph: a POST over a keep-alive undici `Pool` per subgraph, with a timeout, and
 * failures turned into the error codes of docs/architecture.md naming the provider — UPSTREAM_TIMEOUT or UPSTREAM_UNAVAILABLE —
 * never the subgraph's body or the network error's text. The query planner carries on with the other fetches, so
 * the rest of the data comes back. Each call carries the request's caller assertion for this subgraph (signed once
 * per request and subgraph; @ndx/platform callerAssertion.ts): the subgraph acts only on the caller it names.
 *
 * Why not `RemoteGraphQLDataSource`'s own fetch: it builds a WHATWG Request/Response (and a node-fetch Request for
 * its error hooks) per call, and a per-call `AbortSignal.timeout` timer; that was half the plain gateway's CPU
 * (bench/PROFILE.md). `process()` is overridden instead; APQ and the request/response hooks are not used here.
 *
 * Identical reads in flight at the same time — same body, same caller named — share one upstream request
 * (inflightFetches.ts; Apollo Router's query deduplication). Merging happens after the access decision, among fetches
 * of requests already permitted; mutations are never merged; a failure reaches every waiter.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ndxError, type CallerAssertionSigner, type ClientSpan, type Logger, type Tracing } from "@ndx/platform";
import type { GraphQLError } from "graphql";
import { Pool } from "undici";
import type { AccessContext } from "./access/accessContext.ts";
import { auditExtension, readAuditChanges } from "./audit/auditChanges.ts";
import { createInflightFetches, type InflightFetches } from "./inflightFetches.ts";
import { operationalOf } from "./operations/operationalRecord.ts";

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  /**
   * How long to wait for the subgraph's response headers, and at most between two chunks of its body.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /** Most connections kept open to the subgraph. @default 128 */
  readonly connections?: number;
  readonly logger: Logger;
  /**
   * Signs the caller assertion the subgraph requires, naming the caller (and permit) the access plugin put in the
   * context as `ndxCaller`; its audience is `name`. @default undefined: no credential sent
   */
  readonly assertions?: CallerAssertionSigner | undefined;
  /** Told of every call's outcome (metrics). */
  readonly onCall?: (provider: string, outcome: "ok" | "error" | "timeout") => void;
  /**
   * Identical reads in flight at once (same body, same caller) share one upstream request. Each request has been
   * decided by the access plugin before it fetches; only permitted fetches reach here. @default true
   */
  readonly mergeInflight?: boolean;
  /** When tracing is on: a CLIENT span per call, its `traceparent` sent along. @default undefined: no spans */
  readonly tracing?: Tracing | undefined;
}

type Response = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/** A subgraph's answer: its text for whoever shares the request, parsed once for the one who sent it. */
interface Answer {
  readonly status: number;
  readonly text: string;
  readonly parsed: Response;
}

/** A failed upstream request as every waiter sees it: whether it timed out, and the HTTP status if one came. */
class SubgraphFailure extends Error {
  readonly timedOut: boolean;
  readonly status: number | undefined;
  constructor(timedOut: boolean, status: number | undefined, message: string) {
    super(message);
    this.name = "SubgraphFailure";
    this.timedOut = timedOut;
    this.status = status;
  }
}

/** The gateway's request context as the subgraph client sees it: the caller the access plugin decided on, if any. */
type GatewayContext = Record<string, unknown> & AccessContext;

export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #options: SubgraphSourceOptions;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #inflight: InflightFetches<Answer> | undefined;

  constructor(options: SubgraphSourceOptions) {
    super({ url: options.url });
    this.#options = options;
    const url = new URL(options.url);
    const timeout = options.timeoutMs ?? 10_000;
    this.#path = `${url.pathname}${url.search}`;
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 60_000,
    });
    this.#inflight = options.mergeInflight === false ? undefined : createInflightFetches<Answer>();
  }

  override async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { name } = this.#options;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
    // A health check or a schema load has a plain context, without a caller (apollo types it as any).
    const caller = (context as AccessContext).ndxCaller;
    const span: ClientSpan | undefined = this.#options.tracing?.startClientSpan(`subgraph ${name}`, {
      "subgraph.name": name,
      "http.request.method": "POST",
      "url.full": this.#options.url,
      ...(request.operationName === undefined ? {} : { "graphql.operation.name": request.operationName }),
    });
    const send = () => this.#send(body, context, caller, span);
    // Only reads are merged, and only among callers the subgraph cannot tell apart: a merged request carries the
    // assertion (and trace) of the first of them.
    const { result, shared } =
      this.#inflight !== undefined && isQuery(request.query) ? this.#inflight.share(mergeKey(caller, body), send) : { result: send(), shared: false };
    // The request's operational record (operations/) gets each call's duration and outcome.
    const operational = operationalOf(context);
    const started = performance.now();
    try {
      const answer = await result;
      // Whoever shared a request parses its own copy: the query planner merges the data into its result in place.
      const response = shared ? (JSON.parse(answer.text) as Response) : answer.parsed;
      this.#takeAuditChanges(response, context);
      operational?.provider(name, performance.now() - started, "ok");
      span?.end({ status: answer.status });
      return response;
    } catch (error) {
      const failure = error instanceof SubgraphFailure ? error : new SubgraphFailure(false, undefined, String(error));
      span?.end({ status: failure.status, error: failure });
      operational?.provider(name, performance.now() - started, failure.timedOut ? "timeout" : "error");
      throw upstreamError(name, failure.timedOut, failure.status);
    }
  }

  /** One upstream request. Metrics and the log see each upstream request once, however many wait for it. */
  async #send(body: string, context: GatewayContext, caller: AccessContext["ndxCaller"], span: ClientSpan | undefined): Promise<Answer> {
    const { name, assertions, onCall, logger } = this.#options;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
    };
    let status: number | undefined;
    try {
      if (assertions !== undefined) headers["authorization"] = `Bearer ${await assertions.forRequest(context, name, caller)}`;
      if (span !== undefined) Object.assign(headers, span.headers);
      const response = await this.#pool.request({ path: this.#path, method: "POST", headers, body });
      status = response.statusCode;
      if (status < 200 || status >= 300) {
        await response.body.dump();
        throw new Error(`HTTP ${status}`);
      }
      const text = await response.body.text();
      const parsed = JSON.parse(text) as Response;
      onCall?.(name, "ok");
      return { status, text, parsed };
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      const timedOut = isTimeout(cause);
      onCall?.(name, timedOut ? "timeout" : "error");
      logger.warn({ provider: name, status, cause: cause.message }, "subgraph call failed");
      throw new SubgraphFailure(timedOut, status, cause.message);
    }
  }

  /** An administrative change the subgraph reports goes to the request's audit record, and never to the client. */
  #takeAuditChanges(result: Response, context: GatewayContext): void {
    const extensions = result.extensions;
    if (extensions === undefined || !(auditExtension in extensions)) return;
    const reported: unknown = extensions[auditExtension];
    delete extensions[auditExtension];
    const changes = readAuditChanges(this.#options.name, reported, this.#options.logger);
    // A request without an access decision (the access plugin off) has nowhere to record them.
    (context as AccessContext).ndxChanges?.push(...changes);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

export function createSubgraphSource(options: SubgraphSourceOptions): SubgraphSource {
  return new SubgraphSource(options);
}

/** undici names its timeouts HeadersTimeoutError / BodyTimeoutError (codes UND_ERR_*_TIMEOUT). */
function isTimeout(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return error.name === "TimeoutError" || error.name === "AbortError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}

/**
 * What must be equal for two fetches to share one request: the body (query, variables, operation name) and the
 * caller the assertion names — kind, id and roles, what a subgraph may answer differently by. The assertion itself
 * is never equal (its jti, decision and trace ids are per request), and those ids do not change the answer.
 */
function mergeKey(caller: AccessContext["ndxCaller"], body: string): string {
  return caller === undefined ? `-\n${body}` : `${JSON.stringify([caller.kind, caller.id, caller.roles])}\n${body}`;
}

/** A read: the query planner writes `query …` or a bare selection set; anything else (mutations) is never merged. */
function isQuery(query: string | undefined): boolean {
  return query !== undefined && /^\s*(?:query\b|\{)/.test(query);
}

export function upstreamError(provider: string, timedOut: boolean, status: number | undefined): GraphQLError {
  const details = { provider };
  // Inside a partial result the HTTP status stays 200; the error carries the code.
  if (timedOut) {
    return ndxError("UPSTREAM_TIMEOUT", `The ${provider} provider did not answer in time`, { details, httpStatus: false });
  }
  const why = status === undefined ? "is unavailable" : `answered with an error (HTTP ${status})`;
  return ndxError("UPSTREAM_UNAVAILABLE", `The ${provider} provider ${why}`, { details, httpStatus: false });
}
