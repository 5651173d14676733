/**
 * SERVER spans for incoming requests, named and attributed as Hive Gateway and Apollo Router name theirs
 * ("POST /graphql", `http.*`, `graphql.operation.name`/`.type`): a yoga plugin for the GraphQL services and a
 * wrapper of a node:http handler for the others. Each continues the caller's W3C `traceparent` and keeps its span
 * active for the whole request, so log lines and outgoing calls made while answering belong to it. Never variable
 * values, query strings, bodies or headers: paths are reduced to templates (a segment with a digit, or a long one
 * in mixed case, becomes `{id}`; a version such as `v1` stays), so a NIC in a URL is never recorded. Probes (health, readiness, metrics) get no
 * span.
 *
 * Register these only when tracing is on: when it is off there is nothing to register and nothing to pay.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { getOperationAST, type DocumentNode } from "graphql";
import { requestPath } from "./requestPath.ts";
import type { NodeHandler } from "./service.ts";
import { fetchHeadersGetter, type Tracing } from "./tracing.ts";

const probes = new Set(["/health", "/ready", "/metrics", "/.well-known/yoga/health"]);

/** A segment that identifies something: it has a digit (a NIC, a UUID; not a version such as v1), or it is a random id. */
const isIdentifier = (segment: string): boolean =>
  (/\d/.test(segment) && !/^v\d{1,2}$/.test(segment)) || (segment.length >= 12 && /[a-z]/.test(segment) && /[A-Z]/.test(segment));

/** The path as a low-cardinality template without personal values: `/api/v1/persons/{id}`. */
export function routeTemplate(path: string): string {
  return path
    .split("/")
    .map((segment) => (isIdentifier(segment) ? "{id}" : segment))
    .join("/");
}

function finish(span: Span, status: number): void {
  span.setAttribute("http.response.status_code", status);
  if (status >= 500) {
    span.setAttribute("error.type", String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** A yoga plugin: one SERVER span per request, active while it is answered. Put it first among the plugins. */
export function useTracing(tracing: Tracing) {
  const spans = new WeakMap<Request, Span>();
  return {
    instrumentation: {
      request({ request }: { request: Request }, wrapped: () => Promise<void> | void): Promise<void> | void {
        const path = requestPath(request.url);
        if (probes.has(path)) return wrapped();
        const route = routeTemplate(path);
        const parent = tracing.extract(request.headers, fetchHeadersGetter);
        const span = tracing.tracer.startSpan(
          `${request.method} ${route}`,
          {
            kind: SpanKind.SERVER,
            attributes: { "http.request.method": request.method, "http.route": route, "url.path": route, "url.scheme": "http" },
          },
          parent,
        );
        spans.set(request, span);
        return context.with(trace.setSpan(parent, span), async () => {
          try {
            await wrapped();
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            // Ended by onResponse with the status; here only when no response went through the plugins.
            if (spans.delete(request)) span.end();
          }
        });
      },
    },
    onParams({ request, params }: { request: Request; params: { operationName?: string | undefined } }) {
      const name = params.operationName;
      if (name !== undefined && name !== null) spans.get(request)?.setAttribute("graphql.operation.name", name);
    },
    onExecute({ args }: { args: { contextValue: { request?: Request }; document: DocumentNode; operationName?: string | null | undefined } }) {
      const request = args.contextValue.request;
      const span = request === undefined ? undefined : spans.get(request);
      if (span === undefined) return;
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (operation === null || operation === undefined) return;
      span.setAttribute("graphql.operation.type", operation.operation);
      if (operation.name !== undefined) span.setAttribute("graphql.operation.name", operation.name.value);
    },
    onResponse({ request, response }: { request: Request; response: Response }) {
      const span = spans.get(request);
      if (span === undefined) return;
      spans.delete(request);
      finish(span, response.status);
    },
  };
}

export interface TraceNodeRequestsOptions {
  /** More paths that get no span, e.g. a long-lived event stream (a span lasting hours helps nobody). @default [] */
  readonly untraced?: readonly string[];
}

/** A node:http handler whose requests each get a SERVER span, active while it is answered. */
export function traceNodeRequests(handler: NodeHandler, tracing: Tracing, options: TraceNodeRequestsOptions = {}): NodeHandler {
  const skipped = new Set([...probes, ...(options.untraced ?? [])]);
  return (req, res) => {
    const path = requestPath(req.url);
    if (skipped.has(path)) return handler(req, res);
    const route = routeTemplate(path);
    const method = req.method ?? "GET";
    const parent = tracing.extract(req.headers);
    const span = tracing.tracer.startSpan(
      `${method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "http.route": route, "url.path": route, "url.scheme": "http" } },
      parent,
    );
    res.once("close", () => finish(span, res.statusCode));
    return context.with(trace.setSpan(parent, span), () => handler(req, res));
  };
}
