/**
 * HTTP to an upstream through one undici keep-alive pool per upstream origin. Answers are read with a size limit;
 * connection failures become `UpstreamError("unavailable")`. Interpreting the status is the caller's (or
 * `statusError`'s) job, since a SOAP Fault arrives as HTTP 500 with a body worth reading.
 */
import type { ClientSpan, Tracing } from "@ndx/platform";
import { Pool } from "undici";
import { exchange, ExchangeError } from "./httpExchange.ts";
import { UpstreamError } from "./upstreamError.ts";

export interface HttpUpstreamOptions {
  /** The provider's name, for errors. */
  readonly provider: string;
  /** Base URL of the upstream; a path in it prefixes every request path. */
  readonly baseUrl: string;
  /** Keep-alive connections in the pool. @default 16 */
  readonly connections?: number;
  /** How long an idle connection is kept. @default 30000 */
  readonly keepAliveTimeoutMs?: number;
  /** Larger answers are refused as malformed. @default 1048576 */
  readonly maxResponseBytes?: number;
  /**
   * A CLIENT span per request, its `traceparent` sent along: the legacy call in the caller's trace. Named by the
   * method alone; no path (it may hold a NIC), query or body is recorded. @default undefined: off
   */
  readonly tracing?: Tracing | undefined;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  /** Path and query, below the base URL. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface HttpUpstream {
  request(request: HttpRequest): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export function createHttpUpstream(options: HttpUpstreamOptions): HttpUpstream {
  const { provider, connections = 16, keepAliveTimeoutMs = 30_000, maxResponseBytes = 1024 * 1024 } = options;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: keepAliveTimeoutMs, pipelining: 1 });
  const { tracing } = options;
  const spanAttributes = {
    "server.address": base.hostname,
    "server.port": Number(base.port || (base.protocol === "https:" ? 443 : 80)),
    "ndx.provider": provider,
  };

  if (tracing === undefined) return { request: (request) => send(request, request.headers), close: () => pool.close() };
  return {
    async request(request) {
      const span: ClientSpan = tracing.startClientSpan(request.method, { ...spanAttributes, "http.request.method": request.method });
      try {
        const answer = await send(request, { ...request.headers, ...span.headers });
        span.end({ status: answer.status });
        return answer;
      } catch (error) {
        span.end({ error });
        throw error;
      }
    },
    close: () => pool.close(),
  };

  async function send(request: HttpRequest, headers: Readonly<Record<string, string>> | undefined): Promise<HttpAnswer> {
    const options = { method: request.method, path: `${prefix}${request.path}`, headers: { ...headers }, body: request.body ?? null };
    try {
      return await exchange(pool, options, request.signal, maxResponseBytes);
    } catch (error) {
      if (!(error instanceof ExchangeError)) throw error;
      const { phase, status, declared } = error;
      if (phase === "limit") {
        const what = declared === undefined ? "answer" : `answer of ${declared} bytes`;
        throw new UpstreamError("malformed", provider, `${what} exceeds ${maxResponseBytes} bytes`, { status });
      }
      const failure = phase === "connect" ? "connection failed" : "answer cut off";
      throw new UpstreamError("unavailable", provider, `${failure} (${errorCode(error.cause)})`, { cause: error.cause, status });
    }
  }
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === "string" ? code : error.name;
  }
  return "unknown";
}

/** The header's value, the first one if repeated. */
export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The `UpstreamError` a non-2xx answer stands for, or undefined for 2xx. 404 → not_found, 429 → rate_limited (with
 * Retry-After), 401/403 → rejected (our credentials), 408 and 5xx → unavailable, other 4xx → rejected.
 */
export function statusError(provider: string, answer: HttpAnswer, operation: string): UpstreamError | undefined {
  const status = answer.status;
  if (status >= 200 && status < 300) return undefined;
  const options = { status };
  if (status === 404) return new UpstreamError("not_found", provider, `${operation}: HTTP 404`, options);
  if (status === 429) {
    return new UpstreamError("rate_limited", provider, `${operation}: HTTP 429`, {
      status,
      retryAfterMs: retryAfterMs(header(answer, "retry-after")),
    });
  }
  if (status === 401 || status === 403) {
    return new UpstreamError("rejected", provider, `${operation}: HTTP ${status}, credentials refused`, options);
  }
  if (status === 408 || status >= 500) return new UpstreamError("unavailable", provider, `${operation}: HTTP ${status}`, options);
  return new UpstreamError("rejected", provider, `${operation}: HTTP ${status}`, options);
}

/** `Retry-After` as delay-seconds or an HTTP-date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Parses a JSON answer; anything else (wrong content type, bad JSON) is malformed. */
export function parseJsonAnswer(provider: string, answer: HttpAnswer, operation: string): unknown {
  const type = header(answer, "content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new UpstreamError("malformed", provider, `${operation}: content type is not JSON`, { status: answer.status });
  }
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw new UpstreamError("malformed", provider, `${operation}: body is not valid JSON`, { status: answer.status });
  }
}
